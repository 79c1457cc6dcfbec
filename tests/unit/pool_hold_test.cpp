#include <memory>
#include <utility>

#include <catch2/catch.hpp>

#include "daemon/proxy/pool_hold.hpp"

using namespace reg::proxy;

namespace {

struct Watched {
  WorkerSnapshot* snapshot;
  std::weak_ptr<const RouteTable> table;
};

Watched fresh_snapshot() {
  auto table = RouteTable::build({});
  std::weak_ptr<const RouteTable> watch = table;
  return {new WorkerSnapshot{std::move(table)}, watch};
}

}  // namespace

TEST_CASE("a snapshot no request holds is freed when the worker moves on", "[pool_hold]") {
  const Pool pool;
  auto [snapshot, table] = fresh_snapshot();
  { PoolHold ended(*snapshot, pool); }
  CHECK_FALSE(table.expired());  // still the worker's current one
  snapshot->retire();
  CHECK(table.expired());
}

TEST_CASE("a snapshot lives until the last request routed on it ends", "[pool_hold]") {
  Pool pool;
  pool.host = "app.example";
  pool.path = "/api";
  auto [snapshot, table] = fresh_snapshot();
  PoolHold first(*snapshot, pool);
  PoolHold second(*snapshot, pool);
  PoolHold moved = std::move(first);
  CHECK(moved->path == "/api");
  snapshot->retire();
  second.reset();
  CHECK_FALSE(table.expired());
  moved = PoolHold();
  CHECK(table.expired());
}
