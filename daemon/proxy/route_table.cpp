#include "daemon/proxy/route_table.hpp"

#include "daemon/proxy/backend_health.hpp"
#include "daemon/proxy/circuit_breaker.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <optional>
#include <string>

namespace reg::proxy {

bool BackendEntry::in_rotation(SteadyTime now) const {
  if (detached) return false;
  if (health && !health->healthy()) return false;
  return !circuit || circuit->state(now) != CircuitState::open;
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

// The first pool of `host`'s list whose path matches: the list is in match
// order, so the first is the best.
const Pool* first_match(const std::vector<Pool>& pools,
                        const std::unordered_map<std::string, std::vector<std::uint32_t>>& index,
                        std::string_view host, std::string_view path) {
  // The index is keyed by std::string; one key per thread keeps its capacity
  // across requests, so a lookup does not allocate.
  thread_local std::string key;
  key.assign(host);
  const auto found = index.find(key);
  if (found == index.end()) return nullptr;
  for (const std::uint32_t position : found->second) {
    const Pool& pool = pools[position];
    if (path_prefix_matches(pool.path, path)) return &pool;
  }
  return nullptr;
}

}  // namespace

std::shared_ptr<const RouteTable> RouteTable::build(std::vector<Pool> pools) {
  assert(pools.size() < std::numeric_limits<std::uint32_t>::max());
  for (Pool& pool : pools) pool.wildcard = is_wildcard(pool.host);
  std::sort(pools.begin(), pools.end(), [](const Pool& a, const Pool& b) {
    if (a.host != b.host) return a.host < b.host;
    return before_in_match_order(a, b);
  });

  auto table = std::make_shared<RouteTable>();
  for (std::uint32_t position = 0; position < pools.size(); ++position) {
    const std::string& host = pools[position].host;
    if (is_wildcard(host)) {
      table->wildcard_[host.substr(kWildcardPrefix.size())].push_back(position);
    } else {
      table->exact_[host].push_back(position);
    }
  }
  table->pools_ = std::move(pools);
  return table;
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
