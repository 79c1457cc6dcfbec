#pragma once
// The immutable routing snapshot the control plane publishes on every change
// and the proxy workers read per request (DESIGN.md "Snapshot publishing").
// Nothing in here changes after build(); live counters and breaker state sit
// behind RouteRuntime, which outlives snapshots.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/value_parsers.hpp"
#include "daemon/proxy/drain_window.hpp"
#include "daemon/proxy/host_index.hpp"
#include "daemon/proxy/route_options.hpp"

namespace reg::proxy {

class RouteRuntime;
class RateLimiter;
class CircuitBreaker;
class BackendHealth;

using SteadyTime = std::chrono::steady_clock::time_point;

struct MaintenanceMode {
  std::optional<BackendUrl> backend;  // proxied when set; else the built-in page
};

// The session that registered a route: one per session and snapshot, shared
// by the session's entries rather than copied into each.
struct RouteOwner {
  std::string service_name;
  std::string instance_name;
};

// One route's backend, as a member of a pool.
struct BackendEntry {
  std::uint64_t route_number = 0;
  std::string route_id;  // "r7"
  BackendUrl backend;
  std::shared_ptr<const RouteOwner> owner;  // never null in a published table
  RouteOptions options;
  // Headers set on responses for this route (route-level overrides ALL).
  std::vector<std::pair<std::string, std::string>> response_headers;
  bool detached = false;  // its connection-lease session lost its connection
  std::optional<DrainWindow> drain;
  // Set while the route is in maintenance; shared by the session's entries.
  std::shared_ptr<const MaintenanceMode> maintenance;
  std::shared_ptr<RouteRuntime> runtime;  // never null in a published table
  // Enforcement shared by every worker; null when the route has none.
  std::shared_ptr<RateLimiter> rate_limiter;
  std::shared_ptr<CircuitBreaker> circuit;
  std::shared_ptr<const BackendHealth> health;

  // Whether it is in the load-balancing rotation, or the first reason it is not.
  enum class Rotation { in, detached, unhealthy, circuit_open };
  Rotation rotation(SteadyTime now) const;
  bool in_rotation(SteadyTime now) const { return rotation(now) == Rotation::in; }
};

// Routes of every session that share host and path: one load-balancing pool.
struct Pool {
  std::string host;  // "example.com" or "*.example.com"
  std::string path;  // "/api"
  std::size_t host_hash = 0;  // host_hash(host), set by RouteTable::build
  std::int64_t priority = 0;  // the highest of its routes
  bool wildcard = false;
  std::vector<BackendEntry> backends;  // sorted by route number
};

class RouteTable {
 public:
  RouteTable() = default;
  // The index views strings inside pools_, so a table is never copied.
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // Groups the pools by host (unless they already are, in host_grouping_order),
  // puts each host's pools in match order and indexes them by host.
  static std::shared_ptr<const RouteTable> build(std::vector<Pool> pools);
  // The same for pools already grouped in host grouping order with their
  // host_hash set, as the control plane's builder makes them: the hashes
  // and the order are trusted, not computed again.
  static std::shared_ptr<const RouteTable> build_grouped(std::vector<Pool> pools);

  // `host` must already be normalized (normalize_host). Returns the best pool
  // by PROTOCOL.md §8: highest priority, exact host before wildcard, longest
  // path, where the path is a prefix on segment boundaries. nullptr: no match.
  const Pool* match(std::string_view host, std::string_view path) const;

  // Grouped by host, hosts in no meaningful order, each host's pools in
  // match order.
  const std::vector<Pool>& pools() const { return pools_; }
  // Sorted by host and, within a host, in match order (ROUTE_TABLE order).
  std::vector<const Pool*> pools_by_host() const;

 private:
  std::vector<Pool> pools_;
  // Each host's pools, contiguous in pools_ and in match order. Keys view the
  // hosts in pools_, which never move once the table is built.
  HostIndex exact_;
  // Parent domain ("example.com" for "*.example.com") -> its wildcard pools.
  HostIndex wildcard_;

  static const Pool* first_match(const std::vector<Pool>& pools, const HostIndex& index, std::string_view host,
                                 std::string_view path);
};

// The order RouteTable::build groups hosts in: by a hash of the host first,
// so that grouping 100,000 hosts compares integers instead of chasing every
// host string through memory.
std::size_t host_hash(std::string_view host);
bool before_in_host_grouping(std::size_t hash_a, std::string_view host_a, std::size_t hash_b, std::string_view host_b);

// Host header -> lookup key: port and trailing dot removed, lower-cased.
std::string normalize_host(std::string_view host_header);

// True when `prefix` matches `path` on a segment boundary ("/api" matches
// "/api", "/api/" and "/api/x", not "/apix"; "/" matches everything).
bool path_prefix_matches(std::string_view prefix, std::string_view path);

}  // namespace reg::proxy
