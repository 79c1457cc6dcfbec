#pragma once
// The health of one checked backend (backend URL + check path), written by
// the control thread's health monitor and read by proxy workers per request.
#include <atomic>

namespace reg::proxy {

class BackendHealth {
 public:
  // Backends start healthy (PROTOCOL.md §5: "it starts healthy").
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  void set_healthy(bool healthy) { healthy_.store(healthy, std::memory_order_relaxed); }

 private:
  std::atomic<bool> healthy_{true};
};

}  // namespace reg::proxy
