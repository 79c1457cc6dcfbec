#include "daemon/state/sqlite_state_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace reg::state {
namespace {

constexpr int kSchemaVersion = 1;
constexpr const char* kDatabaseName = "state.db";
constexpr const char* kLockName = "lock";

constexpr const char* kCreateSchema =
    "CREATE TABLE sessions (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
    "PRAGMA user_version = 1;";

// Resets a statement for its next use however the current one ends.
struct StatementUse {
  sqlite3_stmt* statement;
  ~StatementUse() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

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
  for (sqlite3_stmt* statement : {upsert_session_, remove_session_, set_counter_}) sqlite3_finalize(statement);
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
  if (step == SQLITE_ROW) value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  if (step != SQLITE_ROW) return failure("cannot read");
  return value;
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
  if (schema == 0) {
    if (Status created = execute("BEGIN IMMEDIATE"); !created) return created;
    if (Status created = execute(kCreateSchema); !created) {
      execute("ROLLBACK");
      return created;
    }
    if (Status created = execute("COMMIT"); !created) return created;
  }

  const auto compile = [this](const char* sql, sqlite3_stmt** statement) {
    return sqlite3_prepare_v2(db_, sql, -1, statement, nullptr) == SQLITE_OK;
  };
  if (!compile("INSERT INTO sessions (id, body) VALUES (?1, ?2) "
               "ON CONFLICT (id) DO UPDATE SET body = excluded.body",
               &upsert_session_) ||
      !compile("DELETE FROM sessions WHERE id = ?1", &remove_session_) ||
      !compile("INSERT INTO counters (name, value) VALUES (?1, ?2) "
               "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
               &set_counter_))
    return failure("unexpected schema in");
  return success();
}

Result<StoredState> SqliteStateStore::load() {
  StoredState state;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT name, value FROM counters", -1, &statement, nullptr) != SQLITE_OK)
    return failure("cannot read");
  int step;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    const std::string_view name = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    const auto value = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 1));
    if (name == "last_route_number") state.counters.last_route_number = value;
    else if (name == "sessions_created") state.counters.sessions_created = value;
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) return failure("cannot read");

  if (sqlite3_prepare_v2(db_, "SELECT id, body FROM sessions", -1, &statement, nullptr) != SQLITE_OK)
    return failure("cannot read");
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* id = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    const auto* body = reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
    state.sessions.emplace_back(id ? id : "", body ? std::string(body, sqlite3_column_bytes(statement, 1)) : "");
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) return failure("cannot read");
  return state;
}

Status SqliteStateStore::commit(const StateChanges& changes) {
  if (Status begun = execute("BEGIN IMMEDIATE"); !begun) return begun;
  const auto run = [this](sqlite3_stmt* statement) {
    StatementUse use{statement};
    return sqlite3_step(statement) == SQLITE_DONE;
  };
  const auto bind_text = [](sqlite3_stmt* statement, int index, const std::string& text) {
    sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  };
  bool written = true;
  for (const auto& [id, body] : changes.upserts) {
    bind_text(upsert_session_, 1, id);
    bind_text(upsert_session_, 2, body);
    written = written && run(upsert_session_);
  }
  for (const auto& id : changes.removals) {
    bind_text(remove_session_, 1, id);
    written = written && run(remove_session_);
  }
  for (const auto& [name, value] : {std::pair{"last_route_number", changes.counters.last_route_number},
                                    std::pair{"sessions_created", changes.counters.sessions_created}}) {
    sqlite3_bind_text(set_counter_, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(set_counter_, 2, static_cast<sqlite3_int64>(value));
    written = written && run(set_counter_);
  }
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

}  // namespace reg::state
