// CONFIG_VALIDATE, CONFIG_APPLY, CONFIG_APPLY_PARTIAL, CONFIG_ROLLBACK, CONFIG_DIFF.
#include "daemon/control/config_apply.hpp"
#include "daemon/control/config_diff.hpp"
#include "daemon/control/handlers/handlers.hpp"

namespace reg::control::handlers {
namespace {

// The conflict index follows view(), and an apply leaves view() as it was
// (the staged configuration becomes, or stays, what staging commands see),
// so the index needs no rebuild.
Reply apply(CommandRequest& request, ConfigKinds kinds) {
  Session& session = *request.session;
  ControlPlane& plane = request.plane;
  if (!session.staged) return {"OK", {}};
  const std::size_t max_routes = plane.settings().max_routes_per_session;
  bool routes_changed = true;
  if (kinds == all_config_kinds()) {
    // The common case: check in place and move, no copy of the configuration.
    if (auto checked = check_full_apply(session.active, *session.staged, max_routes); !checked)
      return Reply::error(checked.error());
    session.active = std::move(*session.staged);
    session.staged.reset();
    plane.sessions().journal().staged_applied(session);
  } else {
    auto result = plan_apply(session.active, *session.staged, kinds, max_routes);
    if (!result) return Reply::error(result.error());
    routes_changed = session.active.routes != result->routes;
    session.active = std::move(*result);
    if (*session.staged == session.active) session.staged.reset();
    plane.sessions().journal().rewritten(session);
  }
  if (routes_changed) {
    // Maintenance of routes that are gone ends with them.
    const auto gone = [&](std::uint64_t route) { return session.active.routes.count(route) == 0; };
    std::erase_if(session.maintenance.routes, gone);
    std::erase_if(session.maintenance.excepted, gone);
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
  auto checked = check_full_apply(session.active, *session.staged, request.plane.settings().max_routes_per_session);
  if (!checked) return Reply::error(checked.error());
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
