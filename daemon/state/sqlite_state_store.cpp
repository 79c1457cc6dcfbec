#include "daemon/state/sqlite_state_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>

namespace reg::state {
namespace {

constexpr int kSchemaVersion = 2;
constexpr const char* kDatabaseName = "state.db";
constexpr const char* kLockName = "lock";

// Schema 1 kept every route inside its session's body; the control plane
// still reads such a body and writes it back in this form at the next start.
constexpr const char* kCreateSessions =
    "CREATE TABLE sessions (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);";
constexpr const char* kCreateItems =
    "CREATE TABLE layers (session TEXT NOT NULL, layer INTEGER NOT NULL, applied INTEGER NOT NULL,"
    " PRIMARY KEY (session, layer)) WITHOUT ROWID;"
    "CREATE TABLE items (session TEXT NOT NULL, layer INTEGER NOT NULL, number INTEGER NOT NULL, body TEXT,"
    " PRIMARY KEY (session, layer, number)) WITHOUT ROWID;"
    "PRAGMA user_version = 2;";

constexpr const char* kStatementText[] = {
    "INSERT INTO sessions (id, body) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
    "DELETE FROM sessions WHERE id = ?1",
    "INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    "INSERT INTO layers (session, layer, applied) VALUES (?1, ?2, ?3)",
    "UPDATE layers SET applied = 1 WHERE session = ?1 AND layer = ?2",
    "DELETE FROM layers WHERE session = ?1 AND layer = ?2",
    "DELETE FROM layers WHERE session = ?1",
    "INSERT INTO items (session, layer, number, body) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (session, layer, number) DO UPDATE SET body = excluded.body",
    "DELETE FROM items WHERE session = ?1 AND layer = ?2 AND number = ?3",
    "DELETE FROM items WHERE session = ?1 AND layer = ?2",
    "DELETE FROM items WHERE session = ?1",
    "INSERT INTO items (session, layer, number, body) SELECT session, ?3, number, body FROM items"
    " WHERE session = ?1 AND layer = ?2 ON CONFLICT (session, layer, number) DO UPDATE SET body = excluded.body",
    "DELETE FROM items WHERE session = ?1 AND layer = ?2 AND body IS NULL",
};

// Binds the parameters of one use of a prepared statement, runs it to its
// end and resets it for the next use however it ends.
class Use {
 public:
  explicit Use(sqlite3_stmt* statement) : statement_(statement) {}
  ~Use() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Use& text(std::string_view value) {
    sqlite3_bind_text(statement_, ++bound_, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
  }
  Use& integer(std::int64_t value) {
    sqlite3_bind_int64(statement_, ++bound_, value);
    return *this;
  }
  Use& body(const ItemBody& value) {
    if (value) return text(*value);
    sqlite3_bind_null(statement_, ++bound_);
    return *this;
  }
  bool run() { return sqlite3_step(statement_) == SQLITE_DONE; }

 private:
  sqlite3_stmt* statement_;
  int bound_ = 0;
};

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return text ? std::string(text, sqlite3_column_bytes(statement, column)) : std::string();
}

}  // namespace

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::open(const std::filesystem::path& directory) {
  const std::string shown = directory.string();
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return make_error("cannot create state directory " + shown + ": " + error.message());
  if (!std::filesystem::is_directory(directory, error))
    return make_error("state directory " + shown + " is not a directory");

  // Opening the lock file for writing is also the check that the directory
  // is writable: SQLite itself would only fail at the first commit.
  const std::filesystem::path lock_path = directory / kLockName;
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return make_error("state directory " + shown + " is not writable: " + std::strerror(errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int reason = errno;
    ::close(lock_fd);
    if (reason == EWOULDBLOCK) return make_error("state directory " + shown + " is in use by another regd");
    return make_error("cannot lock " + lock_path.string() + ": " + std::strerror(reason));
  }

  std::unique_ptr<SqliteStateStore> store(new SqliteStateStore(directory / kDatabaseName, lock_fd));
  const int opened = sqlite3_open_v2(store->database_path_.c_str(), &store->db_,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (opened != SQLITE_OK) return store->failure("cannot open");
  if (Status prepared = store->prepare(); !prepared) return Error{prepared.error()};
  return store;
}

SqliteStateStore::SqliteStateStore(std::filesystem::path database_path, int lock_fd)
    : database_path_(std::move(database_path)), lock_fd_(lock_fd) {}

SqliteStateStore::~SqliteStateStore() {
  for (sqlite3_stmt* statement : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
  ::close(lock_fd_);
}

Error SqliteStateStore::failure(std::string_view what) const {
  const char* reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
  return make_error(std::string(what) + " state database " + database_path_.string() + ": " + reason);
}

Status SqliteStateStore::execute(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return failure("cannot use");
  return success();
}

Result<std::string> SqliteStateStore::first_value(const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) != SQLITE_OK) return failure("cannot read");
  const int step = sqlite3_step(statement);
  std::string value;
  if (step == SQLITE_ROW) value = column_text(statement, 0);
  sqlite3_finalize(statement);
  if (step != SQLITE_ROW) return failure("cannot read");
  return value;
}

Status SqliteStateStore::upgrade_schema(int from) {
  if (Status begun = execute("BEGIN IMMEDIATE"); !begun) return begun;
  Status created = from == 0 ? execute(kCreateSessions) : success();
  if (created) created = execute(kCreateItems);
  if (!created) {
    execute("ROLLBACK");
    return created;
  }
  return execute("COMMIT");
}

Status SqliteStateStore::prepare() {
  // A file that is not a database is only noticed at the first read: this one.
  auto schema_text = first_value("PRAGMA user_version");
  if (!schema_text) return Error{schema_text.error()};
  const int schema = std::stoi(*schema_text);
  if (schema > kSchemaVersion)
    return make_error("state database " + database_path_.string() + " has schema version " + *schema_text +
                      ", newer than this regd understands (" + std::to_string(kSchemaVersion) + ")");
  // Damaged pages would otherwise surface later as a failed commit.
  auto verdict = first_value("PRAGMA quick_check");
  if (!verdict) return Error{verdict.error()};
  if (*verdict != "ok") return make_error("state database " + database_path_.string() + " is corrupt: " + *verdict);

  auto journal = first_value("PRAGMA journal_mode=WAL");
  if (!journal) return Error{journal.error()};
  if (*journal != "wal")
    return make_error("state database " + database_path_.string() + ": cannot use WAL mode here (journal mode " +
                      *journal + ")");
  if (Status sync = execute("PRAGMA synchronous=FULL"); !sync) return sync;
  if (schema < kSchemaVersion) {
    if (Status upgraded = upgrade_schema(schema); !upgraded) return upgraded;
  }

  static_assert(std::size(kStatementText) == statement_count, "one text per Statement, in its order");
  for (int i = 0; i < statement_count; ++i) {
    if (sqlite3_prepare_v2(db_, kStatementText[i], -1, &statements_[i], nullptr) != SQLITE_OK)
      return failure("unexpected schema in");
  }
  auto layers = read_layers();
  if (!layers) return Error{layers.error()};
  layers_ = std::move(*layers);
  return success();
}

Result<std::unordered_map<std::string, SqliteStateStore::Layers>> SqliteStateStore::read_layers() {
  std::unordered_map<std::string, Layers> layers;
  sqlite3_stmt* statement = nullptr;
  // Layer numbers only grow, and a session's staged layer is applied before
  // its next one is made: in number order, applied layers are in the order
  // they were applied.
  if (sqlite3_prepare_v2(db_, "SELECT session, layer, applied FROM layers ORDER BY session, layer", -1, &statement,
                         nullptr) != SQLITE_OK)
    return failure("cannot read");
  int step;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    Layers& session = layers[column_text(statement, 0)];
    const std::int64_t layer = sqlite3_column_int64(statement, 1);
    if (sqlite3_column_int(statement, 2) != 0) session.applied.push_back(layer);
    else session.staged = layer;
    if (session.applied.size() > 1) layered_.insert(column_text(statement, 0));
    last_layer_ = std::max(last_layer_, layer);
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) return failure("cannot read");
  return layers;
}

Result<StoredState> SqliteStateStore::load() {
  StoredState state;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT name, value FROM counters", -1, &statement, nullptr) != SQLITE_OK)
    return failure("cannot read");
  int step;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    const std::string name = column_text(statement, 0);
    const auto value = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 1));
    if (name == "last_route_number") state.counters.last_route_number = value;
    else if (name == "sessions_created") state.counters.sessions_created = value;
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) return failure("cannot read");

  std::unordered_map<std::string, std::size_t> index;
  if (sqlite3_prepare_v2(db_, "SELECT id, body FROM sessions", -1, &statement, nullptr) != SQLITE_OK)
    return failure("cannot read");
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    StoredSession& session = state.sessions.emplace_back();
    session.id = column_text(statement, 0);
    session.body = column_text(statement, 1);
    index.emplace(session.id, state.sessions.size() - 1);
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) return failure("cannot read");

  // Rows come in key order: each session's rows together, layer by layer,
  // each layer by number. One applied layer (the usual case, once tidied)
  // is the applied items as they come; several are read in order onto a map.
  if (sqlite3_prepare_v2(db_, "SELECT session, layer, number, body FROM items ORDER BY session, layer, number", -1,
                         &statement, nullptr) != SQLITE_OK)
    return failure("cannot read");
  std::string current;
  bool first_row = true;
  StoredSession* session = nullptr;  // null: rows left of a removed session
  const Layers* layers = nullptr;
  std::map<std::uint64_t, std::string> applied;
  const auto finish_session = [&] {
    if (session && !applied.empty())
      session->applied.assign(std::make_move_iterator(applied.begin()), std::make_move_iterator(applied.end()));
    applied.clear();
  };
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* id_text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    const std::string_view id(id_text ? id_text : "", sqlite3_column_bytes(statement, 0));
    if (first_row || id != current) {
      finish_session();
      first_row = false;
      current = std::string(id);
      auto found = index.find(current);
      auto found_layers = layers_.find(current);
      const bool known = found != index.end() && found_layers != layers_.end();
      session = known ? &state.sessions[found->second] : nullptr;
      layers = known ? &found_layers->second : nullptr;
    }
    if (session == nullptr) continue;
    const std::int64_t layer = sqlite3_column_int64(statement, 1);
    const auto number = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 2));
    const bool removal = sqlite3_column_type(statement, 3) == SQLITE_NULL;
    if (layers->staged == layer) {
      session->staged.emplace_back(number, removal ? ItemBody() : ItemBody(column_text(statement, 3)));
    } else if (layers->applied.size() == 1 && layers->applied[0] == layer) {
      if (!removal) session->applied.emplace_back(number, column_text(statement, 3));
    } else if (std::find(layers->applied.begin(), layers->applied.end(), layer) != layers->applied.end()) {
      if (removal) applied.erase(number);
      else applied[number] = column_text(statement, 3);
    }
  }
  finish_session();
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) return failure("cannot read");
  return state;
}

std::int64_t SqliteStateStore::staged_layer(const std::string& session, bool* written) {
  Layers& layers = layers_[session];
  if (!layers.staged) {
    layers.staged = ++last_layer_;
    *written = *written && Use(statements_[add_layer]).text(session).integer(*layers.staged).integer(0).run();
  }
  return *layers.staged;
}

std::int64_t SqliteStateStore::top_applied_layer(const std::string& session, bool* written) {
  Layers& layers = layers_[session];
  if (layers.applied.empty()) {
    layers.applied.push_back(++last_layer_);
    *written = *written && Use(statements_[add_layer]).text(session).integer(layers.applied.back()).integer(1).run();
  }
  return layers.applied.back();
}

bool SqliteStateStore::forget_session(const std::string& session) {
  layers_.erase(session);
  layered_.erase(session);
  return Use(statements_[remove_session_items]).text(session).run() &&
         Use(statements_[remove_session_layers]).text(session).run();
}

bool SqliteStateStore::apply(const ItemChange& change) {
  bool written = true;
  const std::string& session = change.session;
  const auto put_in = [&](std::int64_t layer) {
    return Use(statements_[put_item])
        .text(session)
        .integer(layer)
        .integer(static_cast<std::int64_t>(change.number))
        .body(change.body)
        .run();
  };
  switch (change.kind) {
    case ItemChange::Kind::stage: {
      const std::int64_t layer = staged_layer(session, &written);
      return written && put_in(layer);
    }
    case ItemChange::Kind::unstage: {
      auto found = layers_.find(session);
      if (found == layers_.end() || !found->second.staged) return true;
      return Use(statements_[remove_item])
          .text(session)
          .integer(*found->second.staged)
          .integer(static_cast<std::int64_t>(change.number))
          .run();
    }
    case ItemChange::Kind::apply_staged: {
      auto found = layers_.find(session);
      if (found == layers_.end() || !found->second.staged) return true;
      Layers& layers = found->second;
      const std::int64_t layer = *std::exchange(layers.staged, std::nullopt);
      layers.applied.push_back(layer);
      if (layers.applied.size() > 1) layered_.insert(session);
      return Use(statements_[mark_layer_applied]).text(session).integer(layer).run();
    }
    case ItemChange::Kind::drop_staged: {
      auto found = layers_.find(session);
      if (found == layers_.end() || !found->second.staged) return true;
      const std::int64_t layer = *std::exchange(found->second.staged, std::nullopt);
      return Use(statements_[remove_layer_items]).text(session).integer(layer).run() &&
             Use(statements_[remove_layer]).text(session).integer(layer).run();
    }
    case ItemChange::Kind::drop_all:
      return forget_session(session);
    case ItemChange::Kind::set_applied: {
      const std::int64_t layer = top_applied_layer(session, &written);
      return written && put_in(layer);
    }
  }
  return false;
}

Status SqliteStateStore::commit(const StateChanges& changes) {
  if (Status begun = execute("BEGIN IMMEDIATE"); !begun) return begun;
  bool written = true;
  for (const auto& change : changes.items) written = written && apply(change);
  for (const auto& [id, body] : changes.upserts)
    written = written && Use(statements_[upsert_session]).text(id).text(body).run();
  for (const auto& id : changes.removals)
    written = written && forget_session(id) && Use(statements_[remove_session]).text(id).run();
  for (const auto& [name, value] : {std::pair{"last_route_number", changes.counters.last_route_number},
                                    std::pair{"sessions_created", changes.counters.sessions_created}})
    written = written && Use(statements_[set_counter]).text(name).integer(static_cast<std::int64_t>(value)).run();
  if (!written) {
    Error error = failure("cannot write");
    execute("ROLLBACK");
    return error;
  }
  if (Status committed = execute("COMMIT"); !committed) {
    execute("ROLLBACK");
    return committed;
  }
  return success();
}

bool SqliteStateStore::fold(const std::string& session, Layers& layers) {
  const std::int64_t base = layers.applied[0];
  const std::int64_t upper = layers.applied[1];
  layers.applied.erase(layers.applied.begin() + 1);
  return Use(statements_[fold_layer]).text(session).integer(upper).integer(base).run() &&
         Use(statements_[remove_layer_items]).text(session).integer(upper).run() &&
         Use(statements_[remove_layer]).text(session).integer(upper).run() &&
         Use(statements_[remove_removals]).text(session).integer(base).run();
}

Result<bool> SqliteStateStore::tidy() {
  // One layer per call: the cost of a call is the size of that layer.
  if (layered_.empty()) return false;
  const std::string session = *layered_.begin();
  Layers& layers = layers_.at(session);
  if (Status begun = execute("BEGIN IMMEDIATE"); !begun) return Error{begun.error()};
  if (!fold(session, layers)) {
    Error error = failure("cannot write");
    execute("ROLLBACK");
    return error;
  }
  if (Status committed = execute("COMMIT"); !committed) {
    execute("ROLLBACK");
    return Error{committed.error()};
  }
  if (layers.applied.size() < 2) layered_.erase(session);
  return !layered_.empty();
}

}  // namespace reg::state
