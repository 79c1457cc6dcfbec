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

struct LiveRoute {
  const RouteSpec* spec;  // the session's configuration, alive for the build
  std::uint32_t share;    // index of its session's SessionShare
};

// Each domain of a route is a membership of the pool of that domain and the
// route's path.
struct Membership {
  std::size_t host_hash;
  std::uint32_t route;   // index in the live routes
  std::uint32_t domain;  // index in the route's domains
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
  std::vector<std::uint64_t> numbers;  // of the live routes
  std::vector<LiveRoute> routes;
  std::vector<Membership> memberships;
  shares.reserve(registry.sessions().size());
  std::size_t route_count = 0;
  for (const auto& [id, session] : registry.sessions()) route_count += session->active.routes.size();
  numbers.reserve(route_count);
  routes.reserve(route_count);
  memberships.reserve(route_count);
  for (const auto& [id, session] : registry.sessions()) {
    if (session->active.routes.empty()) continue;
    const auto share = static_cast<std::uint32_t>(shares.size());
    shares.push_back(share_of(*session));
    for (const auto& [number, route] : session->active.routes) {
      const auto index = static_cast<std::uint32_t>(routes.size());
      numbers.push_back(number);
      routes.push_back({&route, share});
      for (std::uint32_t domain = 0; domain < route.domains.size(); ++domain)
        memberships.push_back({proxy::host_hash(route.domains[domain]), index, domain});
    }
  }
  const auto runtime_of = runtimes.keep_only(numbers, std::chrono::steady_clock::now());

  // Sorting the memberships groups them into pools, already in the order
  // RouteTable::build_grouped wants. Memberships are small and compare by
  // hash alone unless two hosts hash alike, so the sort seldom reaches into
  // the sessions' strings.
  const auto host_of = [&](const Membership& m) -> std::string_view {
    return routes[m.route].spec->domains[m.domain];
  };
  const auto path_of = [&](const Membership& m) -> std::string_view { return routes[m.route].spec->path; };
  std::sort(memberships.begin(), memberships.end(), [&](const Membership& a, const Membership& b) {
    // proxy::before_in_host_grouping, reaching for the hosts only when the hashes tie.
    if (a.host_hash != b.host_hash) return a.host_hash < b.host_hash;
    if (host_of(a) != host_of(b)) return host_of(a) < host_of(b);
    if (path_of(a) != path_of(b)) return path_of(a) < path_of(b);
    return numbers[a.route] < numbers[b.route];
  });
  const auto same_pool = [&](const Membership& a, const Membership& b) {
    return a.host_hash == b.host_hash && host_of(a) == host_of(b) && path_of(a) == path_of(b);
  };

  const auto fill = [&](proxy::BackendEntry& entry, const Membership& membership) {
    const LiveRoute& route = routes[membership.route];
    const SessionShare& share = shares[route.share];
    const Session& session = *share.session;
    const SessionConfig& config = session.active;
    const std::uint64_t number = numbers[membership.route];
    entry.route_number = number;
    entry.route_id = format_route_id(number);
    entry.backend = route.spec->backend;
    entry.owner = share.owner;
    entry.options = share.options;
    apply_options(config, number, entry.options);
    entry.response_headers = has_own(config.headers, number) ? merged_headers(config, {kAllRoutes, number})
                                                             : share.headers;
    entry.detached = session.detached();
    entry.drain = session.drain;
    if (share.maintenance && session.maintenance.covers(number)) entry.maintenance = share.maintenance;
    entry.runtime = *runtime_of[membership.route];
    entry.rate_limiter = runtimes.rate_limiter(number, effective(config.ratelimits, number));
    entry.circuit = runtimes.circuit(number, effective(config.circuits, number));
    entry.health = health.health_of(number);
  };

  std::vector<proxy::Pool> pools;
  pools.reserve(memberships.size());
  for (std::size_t first = 0; first < memberships.size();) {
    std::size_t end = first + 1;
    while (end < memberships.size() && same_pool(memberships[end], memberships[first])) ++end;
    proxy::Pool& pool = pools.emplace_back();
    pool.host = host_of(memberships[first]);
    pool.host_hash = memberships[first].host_hash;
    pool.path = path_of(memberships[first]);
    pool.priority = routes[memberships[first].route].spec->priority;
    pool.backends.resize(end - first);
    for (std::size_t member = first; member < end; ++member) {
      pool.priority = std::max(pool.priority, routes[memberships[member].route].spec->priority);
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
