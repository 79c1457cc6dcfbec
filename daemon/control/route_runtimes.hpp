#pragma once
// The live state of every applied route, kept across routing snapshots so
// counters, rate-limit tables and breaker state survive applies; dropped when
// its route leaves the active configuration. A changed limit or breaker
// setting starts a fresh limiter or breaker.
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "daemon/control/session_config.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/rate_limiter.hpp"
#include "daemon/proxy/route_runtime.hpp"

namespace reg::control {

class RouteRuntimes {
 public:
  explicit RouteRuntimes(unsigned workers) : workers_(workers) {}

  // Room for `routes` runtimes, so a build that creates many does not rehash
  // over and over.
  void reserve(std::size_t routes) { runtimes_.reserve(routes); }
  // `now`: when a route without one joins, where its slow start begins.
  const std::shared_ptr<proxy::RouteRuntime>& get_or_create(std::uint64_t route, std::chrono::steady_clock::time_point now);
  const proxy::RouteRuntime* find(std::uint64_t route) const;

  // The route's limiter or breaker for its effective setting; null for none.
  std::shared_ptr<proxy::RateLimiter> rate_limiter(std::uint64_t route, const std::optional<RateLimitSpec>& spec);
  std::shared_ptr<proxy::CircuitBreaker> circuit(std::uint64_t route, const std::optional<CircuitSpec>& spec);
  proxy::CircuitBreaker* find_circuit(std::uint64_t route) const;

  // Drops the state of every route not in `live`, which must hold exactly
  // the routes get_or_create() was called for since the last call; snapshots
  // still serving requests keep their own references.
  void retain_only(std::vector<std::uint64_t> live);

  unsigned workers() const { return workers_; }

 private:
  template <class Spec, class Object>
  struct Configured {
    Spec spec;
    std::shared_ptr<Object> object;
  };

  unsigned workers_;
  std::unordered_map<std::uint64_t, std::shared_ptr<proxy::RouteRuntime>> runtimes_;
  std::unordered_map<std::uint64_t, Configured<RateLimitSpec, proxy::RateLimiter>> rate_limiters_;
  std::unordered_map<std::uint64_t, Configured<CircuitSpec, proxy::CircuitBreaker>> circuits_;
};

}  // namespace reg::control
