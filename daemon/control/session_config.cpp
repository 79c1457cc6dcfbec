#include "daemon/control/session_config.hpp"

#include <algorithm>

namespace reg::control {

std::string format_target(Target target) { return target == kAllRoutes ? "ALL" : format_route_id(target); }

std::string lower_case(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

namespace {

template <class Map>
void erase_target(Map& map, Target target) {
  for (auto it = map.begin(); it != map.end();) {
    if (it->first.first == target) it = map.erase(it);
    else ++it;
  }
}

}  // namespace

void SessionConfig::remove_settings_of(std::uint64_t route) {
  erase_target(headers, route);
  erase_target(options, route);
  health.erase(route);
  ratelimits.erase(route);
  circuits.erase(route);
}

nlohmann::json route_json(std::uint64_t number, const RouteSpec& route) {
  return {{"route_id", format_route_id(number)},
          {"domains", route.domains},
          {"path", route.path},
          {"backend", route.backend.to_string()},
          {"priority", route.priority}};
}

nlohmann::json health_json(const HealthSpec& health) {
  return {{"path", health.path},
          {"interval", format_duration(health.interval)},
          {"timeout", format_duration(health.timeout)}};
}

nlohmann::json ratelimit_json(const RateLimitSpec& limit) {
  return {{"requests", limit.requests}, {"window", format_duration(limit.window)}};
}

nlohmann::json circuit_json(const CircuitSpec& circuit) {
  return {{"threshold", circuit.threshold},
          {"timeout", format_duration(circuit.timeout)},
          {"half_open_requests", circuit.half_open_requests}};
}

}  // namespace reg::control
