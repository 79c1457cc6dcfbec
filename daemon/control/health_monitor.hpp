#pragma once
// Active health checks (PROTOCOL.md §5 "Health"): the control thread GETs each
// checked backend every interval and flips the BackendHealth that proxy
// workers read. Asynchronous on the control io_context; never blocks it.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/value_parsers.hpp"
#include "daemon/proxy/backend_health.hpp"

namespace reg::control {

// One route's applied health check.
struct HealthCheckSpec {
  std::uint64_t route_number = 0;
  BackendUrl backend;              // the route's backend
  std::string path;                // HEALTH_SET path
  Milliseconds interval{0};
  Milliseconds timeout{0};
  int rise = 2;                    // option health_rise
  int fall = 3;                    // option health_fall
  StatusRange expected{200, 399};  // option health_status
};

// One route's view of a change of health, the payload of the event
// backend_health_changed.
struct HealthChange {
  std::uint64_t route_number = 0;
  std::string backend;  // canonical backend URL
  bool healthy = true;
  std::string reason;   // "status 500", "timeout", "connection refused", "status 200", …
};

class HealthMonitor {
 public:
  HealthMonitor(boost::asio::io_context& io, std::function<void(const HealthChange&)> on_change);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // Makes the running checkers match `specs`; called on the control thread
  // after every apply or session end. Routes with the same backend and path
  // share one checker, one BackendHealth and one rise/fall state, so a backend
  // behind many routes is probed once per interval. When their settings
  // differ, the checker probes at the smallest interval with the smallest
  // timeout and judges with the rise, fall and expected range of the first of
  // them in `specs`. A checker whose backend and path are still wanted keeps
  // its state; the others stop.
  void reconcile(const std::vector<HealthCheckSpec>& specs);

  // The health object of a route with a check, or nullptr.
  std::shared_ptr<const proxy::BackendHealth> health_of(std::uint64_t route_number) const;

  // Cancels every timer and ignores probes still in flight: no on_change
  // after this, and later reconciles start nothing.
  void stop();

 private:
  class Checker;
  using CheckerKey = std::pair<std::string, std::string>;  // canonical backend URL, path

  boost::asio::io_context& io_;
  std::shared_ptr<const std::function<void(const HealthChange&)>> on_change_;
  std::minstd_rand offset_generator_;
  std::map<CheckerKey, std::shared_ptr<Checker>> checkers_;
  std::unordered_map<std::uint64_t, std::shared_ptr<const proxy::BackendHealth>> health_by_route_;
  bool stopped_ = false;
};

}  // namespace reg::control
