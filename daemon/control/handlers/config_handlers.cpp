// CONFIG_VALIDATE, CONFIG_APPLY, CONFIG_APPLY_PARTIAL, CONFIG_ROLLBACK, CONFIG_DIFF.
#include "daemon/control/config_apply.hpp"
#include "daemon/control/config_diff.hpp"
#include "daemon/control/handlers/handlers.hpp"

namespace reg::control::handlers {
namespace {

Reply apply(CommandRequest& request, ConfigKinds kinds) {
  Session& session = *request.session;
  ControlPlane& plane = request.plane;
  if (!session.staged) return {"OK", {}};
  auto result = plan_apply(session.active, *session.staged, kinds, plane.settings().max_routes_per_session);
  if (!result) return Reply::error(result.error());

  const bool routes_changed = session.active.routes != result->routes;
  session.active = std::move(*result);
  if (kinds == all_config_kinds() || *session.staged == session.active) session.staged.reset();
  session.rebuild_route_keys();
  if (routes_changed) {
    // Maintenance of routes that are gone ends with them.
    std::erase_if(session.maintenance.routes,
                  [&](std::uint64_t route) { return session.active.routes.count(route) == 0; });
  }
  session.last_apply = request.now;
  plane.count_apply();
  plane.routes_changed();
  return {"OK", {}};
}

}  // namespace

Reply config_validate(CommandRequest& request) {
  const Session& session = *request.session;
  if (!session.staged) return {"OK", {}};
  auto result = plan_apply(session.active, *session.staged, all_config_kinds(),
                           request.plane.settings().max_routes_per_session);
  if (!result) return Reply::error(result.error());
  return {"OK", {}};
}

Reply config_apply(CommandRequest& request) { return apply(request, all_config_kinds()); }

Reply config_apply_partial(CommandRequest& request) {
  return apply(request, config_kinds_from_scope(request.list(1)));
}

Reply config_rollback(CommandRequest& request) {
  request.plane.discard_staged(*request.session);
  return {"OK", {}};
}

Reply config_diff(CommandRequest& request) {
  const Session& session = *request.session;
  return {"DIFF_OK", control::config_diff(session.active, session.view()).dump()};
}

}  // namespace reg::control::handlers
