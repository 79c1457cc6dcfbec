#pragma once
// The health of one checked backend (backend URL + check path), written by
// the control thread's health monitor and read by proxy workers per request.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace reg::proxy {

class BackendHealth {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Backends start healthy (PROTOCOL.md §5: "it starts healthy").
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

  void set_healthy(bool healthy, SteadyTime now) {
    if (healthy && !healthy_.load(std::memory_order_relaxed)) {
      recovered_at_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
    }
    healthy_.store(healthy, std::memory_order_relaxed);
  }

  // When the backend last turned healthy again; the steady clock's epoch if
  // it never failed. Slow start ramps a backend up from here.
  SteadyTime healthy_since() const {
    return SteadyTime{SteadyTime::duration{recovered_at_.load(std::memory_order_relaxed)}};
  }

 private:
  std::atomic<bool> healthy_{true};
  std::atomic<SteadyTime::rep> recovered_at_{0};
};

}  // namespace reg::proxy
