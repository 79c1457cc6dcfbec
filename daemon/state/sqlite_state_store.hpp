#pragma once
// The embedded StateStore: one SQLite database in the state directory.
//
// WAL mode with synchronous=FULL: a commit returns after the WAL is fsynced,
// so an acknowledged change survives power loss, not only a crash of regd
// (NORMAL would give up the last commits on power loss). The cost, one fsync
// per commit, is shared by every command of a group commit.
//
// A row per session holds its encoded body; the counters have a table of
// their own. `sqlite3 STATE_DIR/state.db .dump` shows everything.
#include <filesystem>
#include <memory>

#include "daemon/state/state_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace reg::state {

class SqliteStateStore : public StateStore {
 public:
  // Creates the directory and database if needed. Fails with a message that
  // names the directory when it cannot be created or written, when the
  // database is unreadable or corrupt, or when another regd uses it.
  static Result<std::unique_ptr<SqliteStateStore>> open(const std::filesystem::path& directory);
  ~SqliteStateStore() override;

  Result<StoredState> load() override;
  Status commit(const StateChanges& changes) override;

 private:
  SqliteStateStore(std::filesystem::path database_path, int lock_fd);
  Status prepare();
  Status execute(const char* sql);
  // The first column of the first row of a query.
  Result<std::string> first_value(const char* sql);
  Error failure(std::string_view what) const;

  std::filesystem::path database_path_;
  int lock_fd_;  // flock()ed for as long as the store is open
  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_session_ = nullptr;
  sqlite3_stmt* remove_session_ = nullptr;
  sqlite3_stmt* set_counter_ = nullptr;
};

}  // namespace reg::state
