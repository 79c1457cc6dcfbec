#include "daemon/control/session_view.hpp"

#include "common/time_format.hpp"

namespace reg::control {

void visit_routes(const Session& session, const RouteVisitor& visit) {
  const auto& active = session.active.routes;
  if (!session.staged) {
    for (const auto& [number, route] : active) visit(number, route, "active");
    return;
  }
  const auto& staged = session.staged->routes;
  auto a = active.begin();
  auto s = staged.begin();
  while (a != active.end() || s != staged.end()) {
    if (s == staged.end() || (a != active.end() && a->first < s->first)) {
      visit(a->first, a->second, "pending_removal");
      ++a;
    } else if (a == active.end() || s->first < a->first) {
      visit(s->first, s->second, "staged");
      ++s;
    } else {
      visit(s->first, s->second, s->second == a->second ? "active" : "staged");
      ++a;
      ++s;
    }
  }
}

bool session_has_route(const Session& session, std::uint64_t number) {
  return session.active.routes.count(number) > 0 || (session.staged && session.staged->routes.count(number) > 0);
}

nlohmann::json session_json(const Session& session, SystemTime now) {
  std::size_t staged_routes = 0;
  if (session.staged) {
    visit_routes(session, [&](std::uint64_t, const RouteSpec&, std::string_view status) {
      if (status != "active") ++staged_routes;
    });
  }
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(now - session.connected_at).count();
  return {{"session_id", session.id},
          {"service_name", session.service_name},
          {"instance_name", session.instance_name},
          {"maintenance_port", session.maintenance_port},
          {"lease", session.lease == Lease::persistent ? "persistent" : "connection"},
          {"state", session.detached() ? "detached" : "attached"},
          {"connected_at", format_time(session.connected_at)},
          {"uptime_seconds", std::max<std::int64_t>(uptime, 0)},
          {"last_activity", format_time(session.last_activity)},
          {"routes_active", session.active.routes.size()},
          {"routes_staged", staged_routes},
          {"last_apply", session.last_apply ? nlohmann::json(format_time(*session.last_apply)) : nlohmann::json()},
          {"metadata", session.metadata}};
}

}  // namespace reg::control
