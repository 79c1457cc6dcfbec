#include "daemon/control/route_table_builder.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace reg::control {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The headers of `targets`, a later target's overriding an earlier one's of
// the same name, in name order.
Headers merged_headers(const SessionConfig& config, std::initializer_list<Target> targets) {
  std::map<std::string, const HeaderValue*> merged;
  for (Target target : targets) {
    for (auto it = config.headers.lower_bound({target, std::string()});
         it != config.headers.end() && it->first.first == target; ++it)
      merged[it->first.second] = &it->second;
  }
  Headers headers;
  headers.reserve(merged.size());
  for (const auto& [key, header] : merged) headers.emplace_back(header->name, header->value);
  return headers;
}

bool has_own(const auto& settings, std::uint64_t route) {
  const auto own = settings.lower_bound({route, std::string()});
  return own != settings.end() && own->first.first == route;
}

// A route's own setting wins over the session's ALL setting.
template <class Spec>
std::optional<Spec> effective(const std::map<Target, Spec>& settings, std::uint64_t route) {
  if (auto own = settings.find(route); own != settings.end()) return own->second;
  if (auto all = settings.find(kAllRoutes); all != settings.end()) return all->second;
  return std::nullopt;
}

// What the entries of one session's routes have in common, worked out once
// per session instead of once per route.
struct SessionShare {
  const Session* session;
  std::shared_ptr<const proxy::RouteOwner> owner;
  std::shared_ptr<const proxy::MaintenanceMode> maintenance;  // null when no route of it is in maintenance
  proxy::RouteOptions options;  // its ALL options
  Headers headers;              // its ALL headers
};

SessionShare share_of(const Session& session) {
  SessionShare share{&session, std::make_shared<proxy::RouteOwner>(session.service_name, session.instance_name),
                     nullptr, {}, merged_headers(session.active, {kAllRoutes})};
  if (session.maintenance.active())
    share.maintenance = std::make_shared<proxy::MaintenanceMode>(session.maintenance.backend);
  apply_options(session.active, kAllRoutes, share.options);
  return share;
}

// Each domain of a route is a membership of the pool of that domain and the
// route's path. A membership carries what building the pool and its entry
// reads, so that walking the memberships in pool order reads them in order
// instead of chasing each route through memory.
struct Membership {
  std::size_t host_hash;
  std::string_view host;  // views the session's configuration, alive for the build
  std::string_view path;
  std::uint64_t route_number;
  const RouteSpec* route;
  std::uint32_t share;     // index of its session's SessionShare
  std::uint32_t position;  // of its route among the live routes
};

}  // namespace

void apply_options(const SessionConfig& config, Target target, proxy::RouteOptions& options) {
  for (auto it = config.options.lower_bound({target, std::string()});
       it != config.options.end() && it->first.first == target; ++it)
    proxy::set_option(options, it->first.second, it->second);
}

proxy::RouteOptions resolve_options(const SessionConfig& config, std::uint64_t route) {
  proxy::RouteOptions options;
  // ALL first, then the route's own, so the route's value wins.
  apply_options(config, kAllRoutes, options);
  apply_options(config, route, options);
  return options;
}

std::shared_ptr<const proxy::RouteTable> build_route_table(const SessionRegistry& registry,
                                                           RouteRuntimes& runtimes,
                                                           const HealthMonitor& health) {
  std::vector<SessionShare> shares;
  std::vector<std::uint64_t> live_routes;
  std::vector<Membership> memberships;
  shares.reserve(registry.sessions().size());
  std::size_t route_count = 0;
  for (const auto& [id, session] : registry.sessions()) route_count += session->active.routes.size();
  live_routes.reserve(route_count);
  memberships.reserve(route_count);
  for (const auto& [id, session] : registry.sessions()) {
    if (session->active.routes.empty()) continue;
    const auto share = static_cast<std::uint32_t>(shares.size());
    shares.push_back(share_of(*session));
    for (const auto& [number, route] : session->active.routes) {
      const auto position = static_cast<std::uint32_t>(live_routes.size());
      live_routes.push_back(number);
      for (const auto& domain : route.domains)
        memberships.push_back({proxy::host_hash(domain), domain, route.path, number, &route, share, position});
    }
  }
  const auto runtime_of = runtimes.keep_only(live_routes);

  // Sorting the memberships groups them into pools, already in the order
  // RouteTable::build_grouped wants.
  std::sort(memberships.begin(), memberships.end(), [](const Membership& a, const Membership& b) {
    if (a.host_hash != b.host_hash || a.host != b.host)
      return proxy::before_in_host_grouping(a.host_hash, a.host, b.host_hash, b.host);
    if (a.path != b.path) return a.path < b.path;
    return a.route_number < b.route_number;
  });

  const auto now = std::chrono::steady_clock::now();
  const auto fill = [&](proxy::BackendEntry& entry, const Membership& membership) {
    const SessionShare& share = shares[membership.share];
    const Session& session = *share.session;
    const SessionConfig& config = session.active;
    const std::uint64_t number = membership.route_number;
    entry.route_number = number;
    entry.route_id = format_route_id(number);
    entry.backend = membership.route->backend;
    entry.owner = share.owner;
    entry.options = share.options;
    apply_options(config, number, entry.options);
    entry.response_headers = has_own(config.headers, number) ? merged_headers(config, {kAllRoutes, number})
                                                             : share.headers;
    entry.detached = session.detached();
    entry.drain = session.drain;
    if (share.maintenance && session.maintenance.covers(number)) entry.maintenance = share.maintenance;
    entry.runtime = runtimes.runtime_in(*runtime_of[membership.position], now);
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
  return proxy::RouteTable::build_grouped(std::move(pools));
}

}  // namespace reg::control
