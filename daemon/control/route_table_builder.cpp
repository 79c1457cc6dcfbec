#include "daemon/control/route_table_builder.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
  // Each domain of a route is a membership; sorting the memberships groups
  // them into pools, already in the order RouteTable::build wants, and each
  // entry is built in its pool's storage: no string key or map node per
  // route, no copy of an entry.
  struct Membership {
    std::size_t host_hash;
    std::string_view host;  // views the session's configuration, alive for this call
    std::string_view path;
    std::uint64_t route_number;
    const RouteSpec* route;
    const Session* session;
  };
  std::vector<Membership> memberships;
  std::vector<std::uint64_t> live_routes;
  std::size_t route_count = 0;
  for (const auto& [id, session] : registry.sessions()) route_count += session->active.routes.size();
  memberships.reserve(route_count);
  live_routes.reserve(route_count);
  runtimes.reserve(route_count);
  for (const auto& [id, session] : registry.sessions()) {
    for (const auto& [number, route] : session->active.routes) {
      live_routes.push_back(number);
      for (const auto& domain : route.domains)
        memberships.push_back({proxy::host_hash(domain), domain, route.path, number, &route, session.get()});
    }
  }
  std::sort(memberships.begin(), memberships.end(), [](const Membership& a, const Membership& b) {
    if (a.host_hash != b.host_hash || a.host != b.host)
      return proxy::before_in_host_grouping(a.host_hash, a.host, b.host_hash, b.host);
    if (a.path != b.path) return a.path < b.path;
    return a.route_number < b.route_number;
  });

  const auto now = std::chrono::steady_clock::now();
  const auto fill = [&](proxy::BackendEntry& entry, const Membership& membership) {
    const Session& session = *membership.session;
    const SessionConfig& config = session.active;
    const std::uint64_t number = membership.route_number;
    entry.route_number = number;
    entry.route_id = format_route_id(number);
    entry.backend = membership.route->backend;
    entry.service_name = session.service_name;
    entry.instance_name = session.instance_name;
    entry.options = resolve_options(config, number);
    entry.response_headers = resolve_headers(config, number);
    entry.detached = session.detached();
    entry.drain = session.drain;
    if (session.maintenance.covers(number)) entry.maintenance = proxy::MaintenanceMode{session.maintenance.backend};
    entry.runtime = runtimes.get_or_create(number, now);
    entry.rate_limiter = runtimes.rate_limiter(number, effective(config.ratelimits, number));
    entry.circuit = runtimes.circuit(number, effective(config.circuits, number));
    entry.health = health.health_of(number);
  };

  std::vector<proxy::Pool> pools;
  pools.reserve(memberships.size());
  for (std::size_t first = 0; first < memberships.size();) {
    std::size_t end = first + 1;
    while (end < memberships.size() && memberships[end].host_hash == memberships[first].host_hash &&
           memberships[end].host == memberships[first].host && memberships[end].path == memberships[first].path)
      ++end;
    proxy::Pool& pool = pools.emplace_back();
    pool.host = memberships[first].host;
    pool.host_hash = memberships[first].host_hash;
    pool.path = memberships[first].path;
    pool.priority = memberships[first].route->priority;
    pool.backends.resize(end - first);
    for (std::size_t member = first; member < end; ++member) {
      pool.priority = std::max(pool.priority, memberships[member].route->priority);
      fill(pool.backends[member - first], memberships[member]);
    }
    first = end;
  }
  // The table keeps this vector for its lifetime: routes sharing pools must
  // not leave it holding room for one pool per route.
  pools.shrink_to_fit();
  runtimes.retain_only(std::move(live_routes));
  return proxy::RouteTable::build_grouped(std::move(pools));
}

}  // namespace reg::control
