#include "daemon/control/route_runtimes.hpp"

#include <algorithm>
#include <cstdint>

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

std::vector<std::shared_ptr<proxy::RouteRuntime>*> RouteRuntimes::keep_only(const std::vector<std::uint64_t>& live) {
  // (route, position in `live`) in route order. Each session lists its
  // routes in order, so with one session, or sessions that added their
  // routes one after the other, there is nothing to sort.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_route;
  by_route.reserve(live.size());
  for (std::size_t position = 0; position < live.size(); ++position)
    by_route.emplace_back(live[position], static_cast<std::uint32_t>(position));
  if (!std::is_sorted(by_route.begin(), by_route.end())) std::sort(by_route.begin(), by_route.end());

  std::vector<std::pair<std::uint64_t, std::shared_ptr<proxy::RouteRuntime>>> kept;
  kept.reserve(by_route.size());
  auto previous = runtimes_.begin();
  for (const auto& [route, position] : by_route) {
    while (previous != runtimes_.end() && previous->first < route) ++previous;
    const bool had_one = previous != runtimes_.end() && previous->first == route;
    kept.emplace_back(route, had_one ? std::move(previous->second) : nullptr);
  }
  runtimes_ = std::move(kept);

  std::vector<std::shared_ptr<proxy::RouteRuntime>*> in_live_order(live.size());
  for (std::size_t i = 0; i < by_route.size(); ++i) in_live_order[by_route[i].second] = &runtimes_[i].second;
  const auto gone = [&](const auto& entry) { return find(entry.first) == nullptr; };
  std::erase_if(rate_limiters_, gone);
  std::erase_if(circuits_, gone);
  return in_live_order;
}

const std::shared_ptr<proxy::RouteRuntime>& RouteRuntimes::runtime_in(std::shared_ptr<proxy::RouteRuntime>& slot,
                                                                      std::chrono::steady_clock::time_point now) const {
  if (!slot) slot = std::make_shared<proxy::RouteRuntime>(workers_, now);
  return slot;
}

const proxy::RouteRuntime* RouteRuntimes::find(std::uint64_t route) const {
  auto found = std::lower_bound(runtimes_.begin(), runtimes_.end(), route,
                                [](const auto& entry, std::uint64_t number) { return entry.first < number; });
  return found == runtimes_.end() || found->first != route ? nullptr : found->second.get();
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

}  // namespace reg::control
