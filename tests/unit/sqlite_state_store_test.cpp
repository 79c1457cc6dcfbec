// The embedded store's items: staged overlays, applying one, dropping one,
// folding applied layers, and a database of the first schema, each read
// back by a store opened again on the same directory (as after a restart).
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <map>

#include "daemon/state/sqlite_state_store.hpp"
#include "support/temp_dir.hpp"

namespace reg::state {
namespace {

using Kind = ItemChange::Kind;
using Applied = std::map<std::uint64_t, std::string>;
using Overlay = std::map<std::uint64_t, ItemBody>;

std::unique_ptr<SqliteStateStore> open_store(const test::TempDir& directory) {
  auto store = SqliteStateStore::open(directory.path());
  REQUIRE(store.ok());
  return std::move(*store);
}

void commit(StateStore& store, std::vector<ItemChange> items, std::vector<std::string> removals = {}) {
  StateChanges changes;
  changes.items = std::move(items);
  changes.upserts = {{"s1", "{}"}, {"s2", "{}"}};
  std::erase_if(changes.upserts, [&](const auto& upsert) {
    return std::find(removals.begin(), removals.end(), upsert.first) != removals.end();
  });
  changes.removals = std::move(removals);
  REQUIRE(store.commit(changes).ok());
}

struct Seen {
  Applied applied;
  Overlay staged;
};

std::map<std::string, Seen> load(StateStore& store) {
  auto loaded = store.load();
  REQUIRE(loaded.ok());
  std::map<std::string, Seen> seen;
  for (const auto& session : loaded->sessions)
    seen[session.id] = {Applied(session.applied.begin(), session.applied.end()),
                        Overlay(session.staged.begin(), session.staged.end())};
  return seen;
}

ItemChange stage(std::uint64_t number, ItemBody body) { return {Kind::stage, "s1", number, std::move(body)}; }
ItemChange on_s1(Kind kind) { return {kind, "s1", 0, std::nullopt}; }

std::string query(const test::TempDir& directory, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((directory.path() / "state.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  std::string value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

}  // namespace

TEST_CASE("sqlite store: a staged overlay is applied whole, dropped whole, and survives a reopen") {
  test::TempDir directory("regd-store");
  {
    auto store = open_store(directory);
    commit(*store, {stage(1, "one"), stage(2, "two"), on_s1(Kind::apply_staged)});
    commit(*store, {stage(2, std::nullopt), stage(3, "three"), stage(1, "uno"), stage(4, "four"),
                    ItemChange{Kind::unstage, "s1", 4, std::nullopt}});
  }
  auto store = open_store(directory);
  auto seen = load(*store);
  CHECK(seen["s1"].applied == Applied{{1, "one"}, {2, "two"}});
  CHECK(seen["s1"].staged == Overlay{{1, "uno"}, {2, std::nullopt}, {3, "three"}});
  CHECK(seen["s2"].applied.empty());

  SECTION("applied: the overlay wins, a removal removes, and the overlay is empty") {
    commit(*store, {on_s1(Kind::apply_staged)});
    store.reset();
    auto after = load(*open_store(directory));
    CHECK(after["s1"].applied == Applied{{1, "uno"}, {3, "three"}});
    CHECK(after["s1"].staged.empty());
  }
  SECTION("dropped: the applied items stay as they were") {
    commit(*store, {on_s1(Kind::drop_staged)});
    store.reset();
    auto after = load(*open_store(directory));
    CHECK(after["s1"].applied == Applied{{1, "one"}, {2, "two"}});
    CHECK(after["s1"].staged.empty());
  }
  SECTION("a removed session leaves no item behind") {
    commit(*store, {}, {"s1"});
    CHECK(query(directory, "SELECT count(*) FROM items") == "0");
    CHECK(query(directory, "SELECT count(*) FROM layers") == "0");
    CHECK(load(*store).count("s1") == 0);
  }
}

TEST_CASE("sqlite store: tidy folds applied layers into one without changing what loads") {
  test::TempDir directory("regd-store");
  auto store = open_store(directory);
  commit(*store, {stage(1, "one"), stage(2, "two"), on_s1(Kind::apply_staged)});
  commit(*store, {stage(2, std::nullopt), stage(3, "three"), on_s1(Kind::apply_staged)});
  commit(*store, {stage(1, "uno"), on_s1(Kind::apply_staged), stage(5, "five")});
  CHECK(query(directory, "SELECT count(*) FROM layers WHERE applied = 1") == "3");

  auto tidied = store->tidy();
  REQUIRE(tidied.ok());
  CHECK(*tidied);  // one layer per call
  tidied = store->tidy();
  REQUIRE(tidied.ok());
  CHECK_FALSE(*tidied);
  CHECK(query(directory, "SELECT count(*) FROM layers WHERE applied = 1") == "1");
  CHECK(query(directory, "SELECT count(*) FROM items WHERE body IS NULL") == "0");

  store.reset();
  auto seen = load(*open_store(directory));
  CHECK(seen["s1"].applied == Applied{{1, "uno"}, {3, "three"}});
  CHECK(seen["s1"].staged == Overlay{{5, "five"}});
}

TEST_CASE("sqlite store: drop_all and set_applied write a session's items anew") {
  test::TempDir directory("regd-store");
  auto store = open_store(directory);
  commit(*store, {stage(1, "one"), on_s1(Kind::apply_staged), stage(2, "two")});
  commit(*store, {on_s1(Kind::drop_all), ItemChange{Kind::set_applied, "s1", 7, "seven"}, stage(8, "eight")});
  store.reset();
  auto seen = load(*open_store(directory));
  CHECK(seen["s1"].applied == Applied{{7, "seven"}});
  CHECK(seen["s1"].staged == Overlay{{8, "eight"}});
}

TEST_CASE("sqlite store: a database of schema 1 is brought up to date and keeps its sessions") {
  test::TempDir directory("regd-store");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((directory.path() / "state.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "CREATE TABLE sessions (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL);"
                         "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
                         "INSERT INTO sessions VALUES ('s1', '{\"old\":1}');"
                         "INSERT INTO counters VALUES ('last_route_number', 41);"
                         "PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open_store(directory);
  auto loaded = store->load();
  REQUIRE(loaded.ok());
  REQUIRE(loaded->sessions.size() == 1);
  CHECK(loaded->sessions[0].body == R"({"old":1})");
  CHECK(loaded->counters.last_route_number == 41);
  CHECK(query(directory, "PRAGMA user_version") == "2");
}

}  // namespace reg::state
