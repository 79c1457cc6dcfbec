#pragma once
// Hands the newest RouteTable from the control thread to the proxy workers.
// Workers poll version() (one atomic load per request) and take the lock-free
// path; only when the version moved do they copy the shared_ptr.
#include <atomic>
#include <cstdint>
#include <memory>

#include "daemon/proxy/route_table.hpp"

namespace reg::proxy {

class RouteTablePublisher {
 public:
  RouteTablePublisher() : table_(RouteTable::build({})) {}

  void publish(std::shared_ptr<const RouteTable> table) {
    std::atomic_store_explicit(&table_, std::move(table), std::memory_order_release);
    version_.fetch_add(1, std::memory_order_release);
  }

  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

  std::shared_ptr<const RouteTable> current() const {
    return std::atomic_load_explicit(&table_, std::memory_order_acquire);
  }

 private:
  std::shared_ptr<const RouteTable> table_;
  std::atomic<std::uint64_t> version_{1};
};

}  // namespace reg::proxy
