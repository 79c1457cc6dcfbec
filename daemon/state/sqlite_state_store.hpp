#pragma once
// The embedded StateStore: one SQLite database in the state directory.
//
// WAL mode with synchronous=FULL: a commit returns after the WAL is fsynced,
// so an acknowledged change survives power loss, not only a crash of regd
// (NORMAL would give up the last commits on power loss). The cost, one fsync
// per commit, is shared by every command of a group commit.
//
// A row per session holds its encoded body, a row per item its body. Items
// live in layers: a session's applied items are its applied layers read in
// order (a later layer's row wins, a row without a body removes), and its
// staged overlay is one more layer. Applying the overlay marks its layer
// applied, one row whatever its size; tidy() later folds applied layers into
// the first, a cost proportional to the layer folded. The counters have a
// table of their own. `sqlite3 STATE_DIR/state.db .dump` shows everything.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/state/state_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace reg::state {

class SqliteStateStore : public StateStore {
 public:
  // Creates the directory and database if needed, and brings a database of
  // an older schema up to date. Fails with a message that names the
  // directory when it cannot be created or written, when the database is
  // unreadable or corrupt, or when another regd uses it.
  static Result<std::unique_ptr<SqliteStateStore>> open(const std::filesystem::path& directory);
  ~SqliteStateStore() override;

  Result<StoredState> load() override;
  Status commit(const StateChanges& changes) override;
  Result<bool> tidy() override;

 private:
  struct Layers {
    std::vector<std::int64_t> applied;  // oldest first
    std::optional<std::int64_t> staged;
  };
  enum Statement {
    upsert_session,
    remove_session,
    set_counter,
    add_layer,
    mark_layer_applied,
    remove_layer,
    remove_session_layers,
    put_item,
    remove_item,
    remove_layer_items,
    remove_session_items,
    fold_layer,
    remove_removals,
    statement_count
  };

  SqliteStateStore(std::filesystem::path database_path, int lock_fd);
  Status prepare();
  Status upgrade_schema(int from);
  Status execute(const char* sql);
  // The first column of the first row of a query.
  Result<std::string> first_value(const char* sql);
  Error failure(std::string_view what) const;
  Result<std::unordered_map<std::string, Layers>> read_layers();

  bool apply(const ItemChange& change);
  bool forget_session(const std::string& session);
  std::int64_t staged_layer(const std::string& session, bool* written);
  std::int64_t top_applied_layer(const std::string& session, bool* written);
  bool fold(const std::string& session, Layers& layers);

  std::filesystem::path database_path_;
  int lock_fd_;  // flock()ed for as long as the store is open
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statements_[statement_count] = {};
  // Mirrors the layers table; a failed commit leaves them apart, after
  // which the store must not be used (the caller stops).
  std::unordered_map<std::string, Layers> layers_;
  std::unordered_set<std::string> layered_;  // sessions with applied layers to fold
  std::int64_t last_layer_ = 0;
};

}  // namespace reg::state
