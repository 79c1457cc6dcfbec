#pragma once
// A session's configuration: what CONFIG_APPLY makes live, and what staging
// commands change in a copy of it (PROTOCOL.md §5).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/value_parsers.hpp"

namespace reg::control {

// A target is a route number, or 0 for ALL (the whole session).
using Target = std::uint64_t;
constexpr Target kAllRoutes = 0;
std::string format_target(Target target);

struct RouteSpec {
  std::vector<std::string> domains;
  std::string path;
  BackendUrl backend;
  std::int64_t priority = 0;
  bool operator==(const RouteSpec&) const = default;
};

struct HealthSpec {
  std::string path;
  Milliseconds interval{0};
  Milliseconds timeout{0};
  bool operator==(const HealthSpec&) const = default;
};

struct RateLimitSpec {
  std::int64_t requests = 0;
  Milliseconds window{0};
  bool operator==(const RateLimitSpec&) const = default;
};

struct CircuitSpec {
  std::int64_t threshold = 0;
  Milliseconds timeout{0};
  std::int64_t half_open_requests = 0;
  bool operator==(const CircuitSpec&) const = default;
};

struct HeaderValue {
  std::string name;  // as the client spelled it; keyed case-insensitively
  std::string value;
  bool operator==(const HeaderValue&) const = default;
};

struct SessionConfig {
  std::map<std::uint64_t, RouteSpec> routes;  // by route number
  // (target, lower-cased header name) -> header
  std::map<std::pair<Target, std::string>, HeaderValue> headers;
  // (target, option key) -> value as given (already validated)
  std::map<std::pair<Target, std::string>, std::string> options;
  std::map<Target, HealthSpec> health;
  std::map<Target, RateLimitSpec> ratelimits;
  std::map<Target, CircuitSpec> circuits;

  bool operator==(const SessionConfig&) const = default;

  // Drops every setting of `route` (headers, options, checks).
  void remove_settings_of(std::uint64_t route);
};

// JSON shapes shared by ROUTE_LIST, CONFIG_DIFF and SESSION_INFO.
nlohmann::json route_json(std::uint64_t number, const RouteSpec& route);
nlohmann::json health_json(const HealthSpec& health);
nlohmann::json ratelimit_json(const RateLimitSpec& limit);
nlohmann::json circuit_json(const CircuitSpec& circuit);

std::string lower_case(std::string_view text);

}  // namespace reg::control
