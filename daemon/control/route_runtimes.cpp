#include "daemon/control/route_runtimes.hpp"

#include <algorithm>

namespace reg::control {
namespace {

// Clients tracked per rate-limited route (8 bytes each); past it the least
// recently limited client's slot is reused. Keeps 100,000 limited routes
// within a few GiB at worst.
constexpr std::size_t kClientsPerLimiter = 4096;

template <class Map, class Make>
auto configured(Map& map, std::uint64_t route, const auto& spec, Make make) -> decltype(make()) {
  if (!spec) {
    map.erase(route);
    return nullptr;
  }
  auto found = map.find(route);
  if (found != map.end() && found->second.spec == *spec) return found->second.object;
  auto object = make();
  map[route] = {*spec, object};
  return object;
}

}  // namespace

const std::shared_ptr<proxy::RouteRuntime>& RouteRuntimes::get_or_create(std::uint64_t route,
                                                                         std::chrono::steady_clock::time_point now) {
  auto& runtime = runtimes_[route];
  if (!runtime) runtime = std::make_shared<proxy::RouteRuntime>(workers_, now);
  return runtime;
}

const proxy::RouteRuntime* RouteRuntimes::find(std::uint64_t route) const {
  auto found = runtimes_.find(route);
  return found == runtimes_.end() ? nullptr : found->second.get();
}

std::shared_ptr<proxy::RateLimiter> RouteRuntimes::rate_limiter(std::uint64_t route,
                                                                const std::optional<RateLimitSpec>& spec) {
  return configured(rate_limiters_, route, spec,
                    [&] { return std::make_shared<proxy::RateLimiter>(spec->requests, spec->window, kClientsPerLimiter);
  });
}

std::shared_ptr<proxy::CircuitBreaker> RouteRuntimes::circuit(std::uint64_t route,
                                                              const std::optional<CircuitSpec>& spec) {
  return configured(circuits_, route, spec, [&] {
    return std::make_shared<proxy::CircuitBreaker>(spec->threshold, spec->timeout, spec->half_open_requests);
  });
}

proxy::CircuitBreaker* RouteRuntimes::find_circuit(std::uint64_t route) const {
  auto found = circuits_.find(route);
  return found == circuits_.end() ? nullptr : found->second.object.get();
}

void RouteRuntimes::retain_only(std::vector<std::uint64_t> live) {
  // Every live route was just given a runtime, so equal sizes mean there is
  // nothing to drop: the common case, and sorting 100,000 ids is not free.
  if (runtimes_.size() != live.size()) {
    std::sort(live.begin(), live.end());
    std::erase_if(runtimes_, [&](const auto& entry) {
      return !std::binary_search(live.begin(), live.end(), entry.first);
    });
  }
  const auto gone = [&](const auto& entry) { return runtimes_.count(entry.first) == 0; };
  std::erase_if(rate_limiters_, gone);
  std::erase_if(circuits_, gone);
}

}  // namespace reg::control
