#include "daemon/control/route_table_builder.hpp"

#include <string>
#include <unordered_map>
#include <unordered_set>

namespace reg::control {
namespace {

std::vector<std::pair<std::string, std::string>> resolve_headers(const SessionConfig& config,
                                                                 std::uint64_t route) {
  std::map<std::string, const HeaderValue*> merged;
  for (Target target : {kAllRoutes, route}) {
    for (auto it = config.headers.lower_bound({target, std::string()});
         it != config.headers.end() && it->first.first == target; ++it)
      merged[it->first.second] = &it->second;
  }
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(merged.size());
  for (const auto& [key, header] : merged) headers.emplace_back(header->name, header->value);
  return headers;
}

// A route's own setting wins over the session's ALL setting.
template <class Spec>
std::optional<Spec> effective(const std::map<Target, Spec>& settings, std::uint64_t route) {
  if (auto own = settings.find(route); own != settings.end()) return own->second;
  if (auto all = settings.find(kAllRoutes); all != settings.end()) return all->second;
  return std::nullopt;
}

}  // namespace

proxy::RouteOptions resolve_options(const SessionConfig& config, std::uint64_t route) {
  proxy::RouteOptions options;
  // ALL first, then the route's own, so the route's value wins.
  for (Target target : {kAllRoutes, route}) {
    for (auto it = config.options.lower_bound({target, std::string()});
         it != config.options.end() && it->first.first == target; ++it)
      proxy::set_option(options, it->first.second, it->second);
  }
  return options;
}

std::shared_ptr<const proxy::RouteTable> build_route_table(const SessionRegistry& registry,
                                                           RouteRuntimes& runtimes,
                                                           const HealthMonitor& health) {
  std::vector<proxy::Pool> pools;
  std::unordered_map<std::string, std::size_t> pool_index;
  std::unordered_set<std::uint64_t> live_routes;

  for (const auto& [id, session] : registry.sessions()) {
    const SessionConfig& config = session->active;
    for (const auto& [number, route] : config.routes) {
      live_routes.insert(number);
      proxy::BackendEntry entry;
      entry.route_number = number;
      entry.route_id = format_route_id(number);
      entry.backend = route.backend;
      entry.service_name = session->service_name;
      entry.instance_name = session->instance_name;
      entry.options = resolve_options(config, number);
      entry.response_headers = resolve_headers(config, number);
      entry.detached = session->detached();
      entry.drain = session->drain;
      if (session->maintenance.covers(number)) entry.maintenance = proxy::MaintenanceMode{session->maintenance.backend};
      entry.runtime = runtimes.get_or_create(number);
      entry.rate_limiter = runtimes.rate_limiter(number, effective(config.ratelimits, number));
      entry.circuit = runtimes.circuit(number, effective(config.circuits, number));
      entry.health = health.health_of(number);

      for (const auto& domain : route.domains) {
        auto [slot, added] = pool_index.try_emplace(route_key(domain, route.path), pools.size());
        if (added) {
          proxy::Pool pool;
          pool.host = domain;
          pool.path = route.path;
          pool.priority = route.priority;
          pool.wildcard = domain.rfind("*.", 0) == 0;
          pools.push_back(std::move(pool));
        }
        proxy::Pool& pool = pools[slot->second];
        pool.priority = std::max(pool.priority, route.priority);
        pool.backends.push_back(entry);
      }
    }
  }
  for (auto& pool : pools) {
    std::sort(pool.backends.begin(), pool.backends.end(),
              [](const auto& a, const auto& b) { return a.route_number < b.route_number; });
  }
  runtimes.retain_only(live_routes);
  return proxy::RouteTable::build(std::move(pools));
}

}  // namespace reg::control
