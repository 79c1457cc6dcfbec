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

// Checks (when `taken`) or prunes (when not) the entries of `settings` that
// name a route missing from `routes`.
template <class Map>
Status reconcile(Map& settings, bool taken, std::string_view label, const SessionConfig& result,
                 const SessionConfig& active) {
  for (auto it = settings.begin(); it != settings.end();) {
    const Target target = target_of(it->first);
    if (target == kAllRoutes || result.routes.count(target)) {
      ++it;
      continue;
    }
    if (!taken) {
      it = settings.erase(it);
      continue;
    }
    const std::string reason = active.routes.count(target) ? "route pending removal" : "route not yet applied";
    return make_error(std::string(label) + " " + format_target(target) + ": " + reason);
  }
  return success();
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

  if (auto s = reconcile(result.health, taken(ConfigKind::health), "health", result, active); !s) return Error{s.error()};
  if (auto s = reconcile(result.ratelimits, taken(ConfigKind::ratelimit), "ratelimit", result, active); !s)
    return Error{s.error()};
  if (auto s = reconcile(result.circuits, taken(ConfigKind::circuit), "circuit", result, active); !s)
    return Error{s.error()};
  if (auto s = reconcile(result.headers, taken(ConfigKind::headers), "headers", result, active); !s)
    return Error{s.error()};
  if (auto s = reconcile(result.options, taken(ConfigKind::options), "options", result, active); !s)
    return Error{s.error()};
  if (result.routes.size() > max_routes) {
    return make_error("route limit exceeded: " + std::to_string(result.routes.size()) + " routes (limit " +
                      std::to_string(max_routes) + " per session)");
  }
  return result;
}

}  // namespace reg::control
