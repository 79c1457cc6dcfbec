#pragma once
// The live state of every applied route, kept across routing snapshots so
// counters, rate-limit tables and breaker state survive applies; dropped when
// its route leaves the active configuration. A changed limit or breaker
// setting starts a fresh limiter or breaker.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/control/session_config.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/rate_limiter.hpp"
#include "daemon/proxy/route_runtime.hpp"

namespace reg::control {

class RouteRuntimes {
 public:
  explicit RouteRuntimes(unsigned workers) : workers_(workers) {}

  // The runtime slot of each route of `live` (distinct route numbers), in
  // the order of `live`: holding the runtime the route had, empty for a
  // route new to this object (runtime_in() fills it). Drops the state of
  // every route not in `live`; snapshots still serving requests keep their
  // own references. The pointers stay valid until the next call.
  std::vector<std::shared_ptr<proxy::RouteRuntime>*> keep_only(const std::vector<std::uint64_t>& live);
  // The runtime in `slot`, made on first use with its slow start beginning
  // at `now`: made while its snapshot entry is built, the new object is
  // still in cache when the entry takes its reference.
  const std::shared_ptr<proxy::RouteRuntime>& runtime_in(std::shared_ptr<proxy::RouteRuntime>& slot,
                                                         std::chrono::steady_clock::time_point now) const;
  const proxy::RouteRuntime* find(std::uint64_t route) const;

  // The route's limiter or breaker for its effective setting; null for none.
  std::shared_ptr<proxy::RateLimiter> rate_limiter(std::uint64_t route, const std::optional<RateLimitSpec>& spec);
  std::shared_ptr<proxy::CircuitBreaker> circuit(std::uint64_t route, const std::optional<CircuitSpec>& spec);
  proxy::CircuitBreaker* find_circuit(std::uint64_t route) const;

  unsigned workers() const { return workers_; }

 private:
  template <class Spec, class Object>
  struct Configured {
    Spec spec;
    std::shared_ptr<Object> object;
  };

  unsigned workers_;
  // Sorted by route number: rebuilt whole by each keep_only(), which is
  // cheaper than a node per route in a map.
  std::vector<std::pair<std::uint64_t, std::shared_ptr<proxy::RouteRuntime>>> runtimes_;
  std::unordered_map<std::uint64_t, Configured<RateLimitSpec, proxy::RateLimiter>> rate_limiters_;
  std::unordered_map<std::uint64_t, Configured<CircuitSpec, proxy::CircuitBreaker>> circuits_;
};

}  // namespace reg::control
