#include "daemon/control/config_apply.hpp"

#include <string_view>

namespace reg::control {
namespace {

constexpr std::string_view kScopeNames[] = {"routes", "headers", "options", "health", "ratelimit", "circuit"};

std::size_t bit(ConfigKind kind) { return static_cast<std::size_t>(kind); }

Target target_of(Target target) { return target; }
template <class Second>
Target target_of(const std::pair<Target, Second>& key) {
  return key.first;
}

bool names_missing_route(Target target, const SessionConfig& result) {
  return target != kAllRoutes && result.routes.count(target) == 0;
}

// A setting being applied may not name a route the result no longer has.
template <class Map>
Status check_targets(const Map& settings, std::string_view label, const SessionConfig& result,
                     const SessionConfig& active) {
  for (const auto& [key, value] : settings) {
    const Target target = target_of(key);
    if (!names_missing_route(target, result)) continue;
    const std::string reason = active.routes.count(target) ? "route pending removal" : "route not yet applied";
    return make_error(std::string(label) + " " + format_target(target) + ": " + reason);
  }
  return success();
}

// An applied setting whose route is gone goes with it.
template <class Map>
void prune_targets(Map& settings, const SessionConfig& result) {
  std::erase_if(settings, [&](const auto& entry) { return names_missing_route(target_of(entry.first), result); });
}

// Checks or prunes each kind of setting of `result`, by whether it is taken.
Status reconcile_settings(SessionConfig& result, ConfigKinds kinds, const SessionConfig& active) {
  const auto settle = [&](auto& settings, ConfigKind kind, std::string_view label) -> Status {
    if (kinds.test(bit(kind))) return check_targets(settings, label, result, active);
    prune_targets(settings, result);
    return success();
  };
  if (auto s = settle(result.health, ConfigKind::health, "health"); !s) return s;
  if (auto s = settle(result.ratelimits, ConfigKind::ratelimit, "ratelimit"); !s) return s;
  if (auto s = settle(result.circuits, ConfigKind::circuit, "circuit"); !s) return s;
  if (auto s = settle(result.headers, ConfigKind::headers, "headers"); !s) return s;
  return settle(result.options, ConfigKind::options, "options");
}

Status check_route_limit(const SessionConfig& result, std::size_t max_routes) {
  if (result.routes.size() <= max_routes) return success();
  return make_error("route limit exceeded: " + std::to_string(result.routes.size()) + " routes (limit " +
                    std::to_string(max_routes) + " per session)");
}

}  // namespace

ConfigKinds all_config_kinds() { return ConfigKinds().set(); }

ConfigKinds config_kinds_from_scope(const std::vector<std::string>& scope) {
  ConfigKinds kinds;
  for (const auto& name : scope) {
    for (std::size_t i = 0; i < std::size(kScopeNames); ++i)
      if (kScopeNames[i] == name) kinds.set(i);
  }
  return kinds;
}

Status check_full_apply(const SessionConfig& active, const SessionConfig& staged, std::size_t max_routes) {
  if (auto s = check_targets(staged.health, "health", staged, active); !s) return s;
  if (auto s = check_targets(staged.ratelimits, "ratelimit", staged, active); !s) return s;
  if (auto s = check_targets(staged.circuits, "circuit", staged, active); !s) return s;
  if (auto s = check_targets(staged.headers, "headers", staged, active); !s) return s;
  if (auto s = check_targets(staged.options, "options", staged, active); !s) return s;
  return check_route_limit(staged, max_routes);
}

Result<SessionConfig> plan_apply(const SessionConfig& active, const SessionConfig& staged, ConfigKinds kinds,
                                 std::size_t max_routes) {
  const auto taken = [&](ConfigKind kind) { return kinds.test(bit(kind)); };
  SessionConfig result;
  result.routes = taken(ConfigKind::routes) ? staged.routes : active.routes;
  result.headers = taken(ConfigKind::headers) ? staged.headers : active.headers;
  result.options = taken(ConfigKind::options) ? staged.options : active.options;
  result.health = taken(ConfigKind::health) ? staged.health : active.health;
  result.ratelimits = taken(ConfigKind::ratelimit) ? staged.ratelimits : active.ratelimits;
  result.circuits = taken(ConfigKind::circuit) ? staged.circuits : active.circuits;
  if (auto s = reconcile_settings(result, kinds, active); !s) return Error{s.error()};
  if (auto s = check_route_limit(result, max_routes); !s) return Error{s.error()};
  return result;
}

}  // namespace reg::control
