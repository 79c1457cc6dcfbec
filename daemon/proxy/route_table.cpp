#include "daemon/proxy/route_table.hpp"

#include "daemon/proxy/backend_health.hpp"
#include "daemon/proxy/circuit_breaker.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <optional>
#include <string>

namespace reg::proxy {

BackendEntry::Rotation BackendEntry::rotation(SteadyTime now) const {
  if (detached) return Rotation::detached;
  if (health && !health->healthy()) return Rotation::unhealthy;
  if (circuit && circuit->state(now) == CircuitState::open) return Rotation::circuit_open;
  return Rotation::in;
}

namespace {

constexpr std::string_view kWildcardPrefix = "*.";

bool is_wildcard(std::string_view host) { return host.starts_with(kWildcardPrefix); }

// PROTOCOL.md §8 within one host: highest priority, then the longest path; the
// path text only makes the order deterministic.
bool before_in_match_order(const Pool& a, const Pool& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.path.size() != b.path.size()) return a.path.size() > b.path.size();
  return a.path < b.path;
}

// "a.example.com" -> "example.com": the domain a one-label wildcard for this
// host is indexed under. None when the first label is empty or the only one.
std::optional<std::string_view> wildcard_parent(std::string_view host) {
  const auto dot = host.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == host.size()) return std::nullopt;
  return host.substr(dot + 1);
}

bool before_in_pool_grouping(const Pool& a, const Pool& b) {
  return before_in_host_grouping(a.host_hash, a.host, b.host_hash, b.host);
}

}  // namespace

std::size_t host_hash(std::string_view host) { return std::hash<std::string_view>{}(host); }

bool before_in_host_grouping(std::size_t hash_a, std::string_view host_a, std::size_t hash_b, std::string_view host_b) {
  if (hash_a != hash_b) return hash_a < hash_b;
  return host_a < host_b;
}

std::shared_ptr<const RouteTable> RouteTable::build(std::vector<Pool> pools) {
  for (Pool& pool : pools) pool.host_hash = host_hash(pool.host);
  std::sort(pools.begin(), pools.end(), before_in_pool_grouping);
  return build_grouped(std::move(pools));
}

std::shared_ptr<const RouteTable> RouteTable::build_grouped(std::vector<Pool> pools) {
  assert(pools.size() < std::numeric_limits<std::uint32_t>::max());
  assert(std::is_sorted(pools.begin(), pools.end(), before_in_pool_grouping));
  for (Pool& pool : pools) pool.wildcard = is_wildcard(pool.host);

  auto table = std::make_shared<RouteTable>();
  table->pools_ = std::move(pools);
  std::vector<Pool>& sorted = table->pools_;
  std::size_t wildcard_hosts = 0;
  for (const Pool& pool : sorted) wildcard_hosts += pool.wildcard;
  table->exact_.reserve(sorted.size() - wildcard_hosts);
  table->wildcard_.reserve(wildcard_hosts);
  for (std::uint32_t first = 0; first < sorted.size();) {
    std::uint32_t end = first + 1;
    while (end < sorted.size() && sorted[end].host_hash == sorted[first].host_hash &&
           sorted[end].host == sorted[first].host)
      ++end;
    std::sort(sorted.begin() + first, sorted.begin() + end, before_in_match_order);
    const std::string_view host = sorted[first].host;
    const HostRange range{first, end - first};
    if (is_wildcard(host)) {
      table->wildcard_.insert(host.substr(kWildcardPrefix.size()), range);
    } else {
      table->exact_.insert(host, sorted[first].host_hash, range);
    }
    first = end;
  }
  return table;
}

std::vector<const Pool*> RouteTable::pools_by_host() const {
  std::vector<const Pool*> sorted;
  sorted.reserve(pools_.size());
  for (const Pool& pool : pools_) sorted.push_back(&pool);
  // Stable: each host's pools keep their match order.
  std::stable_sort(sorted.begin(), sorted.end(), [](const Pool* a, const Pool* b) { return a->host < b->host; });
  return sorted;
}

// The first pool of `host`'s range whose path matches: the range is in match
// order, so the first is the best.
const Pool* RouteTable::first_match(const std::vector<Pool>& pools, const HostIndex& index, std::string_view host,
                                    std::string_view path) {
  const HostRange* range = index.find(host);
  if (range == nullptr) return nullptr;
  for (std::uint32_t position = range->first; position < range->first + range->count; ++position) {
    if (path_prefix_matches(pools[position].path, path)) return &pools[position];
  }
  return nullptr;
}

const Pool* RouteTable::match(std::string_view host, std::string_view path) const {
  const Pool* exact = first_match(pools_, exact_, host, path);
  const auto parent = wildcard_parent(host);
  const Pool* wildcard = parent ? first_match(pools_, wildcard_, *parent, path) : nullptr;
  if (exact == nullptr) return wildcard;
  if (wildcard == nullptr) return exact;
  // The two differ in exactness only, so priority decides and a tie goes to
  // the exact host.
  return wildcard->priority > exact->priority ? wildcard : exact;
}

std::string normalize_host(std::string_view host_header) {
  std::string_view host = host_header;
  if (host.starts_with('[')) {
    // An IPv6 literal: "[::1]:8080". The brackets only delimit the port.
    const auto close = host.find(']');
    host = close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (const auto colon = host.find(':');
             colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    // Exactly one colon: "example.com:8080". More than one is a bare IPv6
    // address, which has no port to strip.
    host = host.substr(0, colon);
  }
  if (host.ends_with('.')) host.remove_suffix(1);

  std::string normalized(host);
  std::transform(normalized.begin(), normalized.end(), normalized.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return normalized;
}

bool path_prefix_matches(std::string_view prefix, std::string_view path) {
  if (!path.starts_with(prefix)) return false;
  if (path.size() == prefix.size() || prefix.ends_with('/')) return true;
  // A query string also ends the last segment, for callers that pass the
  // request target as sent.
  const char next = path[prefix.size()];
  return next == '/' || next == '?';
}

}  // namespace reg::proxy
