#pragma once
// How a request keeps the routing snapshot it was routed on alive. A
// shared_ptr copy per request was two locked instructions on the one count
// every worker's requests share: with two workers, a cache line moving
// between cores twice per request. A worker holds each snapshot once and
// its requests count their holds with plain integers, since only the
// worker's own thread routes, holds and releases.
#include <cstddef>
#include <memory>
#include <utility>

#include "daemon/proxy/route_table.hpp"

namespace reg::proxy {

// A snapshot one worker has routed on: freed when the worker has moved to a
// newer one and the last request routed on it has ended.
struct WorkerSnapshot {
  std::shared_ptr<const RouteTable> table;
  std::size_t holds = 0;
  bool current = true;

  void release() {
    if (--holds == 0 && !current) delete this;
  }
  void retire() {
    current = false;
    if (holds == 0) delete this;
  }
};

// One request's pool, its snapshot kept alive until reset() or destruction.
class PoolHold {
 public:
  PoolHold() = default;
  PoolHold(WorkerSnapshot& snapshot, const Pool& pool) : snapshot_(&snapshot), pool_(&pool) { ++snapshot.holds; }
  PoolHold(PoolHold&& other) noexcept
      : snapshot_(std::exchange(other.snapshot_, nullptr)), pool_(std::exchange(other.pool_, nullptr)) {}
  PoolHold& operator=(PoolHold&& other) noexcept {
    if (this != &other) {
      reset();
      snapshot_ = std::exchange(other.snapshot_, nullptr);
      pool_ = std::exchange(other.pool_, nullptr);
    }
    return *this;
  }
  PoolHold(const PoolHold&) = delete;
  PoolHold& operator=(const PoolHold&) = delete;
  ~PoolHold() { reset(); }

  void reset() {
    if (snapshot_ != nullptr) std::exchange(snapshot_, nullptr)->release();
    pool_ = nullptr;
  }

  const Pool& operator*() const { return *pool_; }
  const Pool* operator->() const { return pool_; }

 private:
  WorkerSnapshot* snapshot_ = nullptr;
  const Pool* pool_ = nullptr;
};

}  // namespace reg::proxy
