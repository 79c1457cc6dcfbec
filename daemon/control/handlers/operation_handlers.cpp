// DRAIN_START, DRAIN_STATUS, DRAIN_CANCEL, MAINT_ENTER, MAINT_EXIT, MAINT_STATUS.
#include <cmath>
#include <set>

#include "common/time_format.hpp"
#include "daemon/control/handlers/handlers.hpp"
#include "daemon/control/reachability_wait.hpp"
#include "daemon/control/session_view.hpp"

namespace reg::control::handlers {
namespace {

std::int64_t in_flight_of(ControlPlane& plane, const Session& session) {
  std::int64_t total = 0;
  for (const auto& [number, route] : session.active.routes) {
    if (const auto* runtime = plane.runtimes().find(number)) total += runtime->in_flight();
  }
  return total;
}

// The routes a maintenance target selects: route ids, paths (the session's
// routes with that path) and domains (the session's routes serving it).
Result<std::set<std::uint64_t>> select_routes(const Session& session, const std::vector<std::string>& items) {
  std::set<std::uint64_t> selected;
  for (const auto& item : items) {
    std::size_t before = selected.size();
    bool matched = false;
    const bool is_route_id = parse_route_id(item).ok();
    visit_routes(session, [&](std::uint64_t number, const RouteSpec& route, std::string_view) {
      const bool hit = is_route_id ? format_route_id(number) == item
                       : item.front() == '/'
                           ? route.path == item
                           : std::find(route.domains.begin(), route.domains.end(), item) != route.domains.end();
      if (hit) {
        selected.insert(number);
        matched = true;
      }
    });
    if (!matched && selected.size() == before) return make_error("route not found: " + item);
  }
  return selected;
}

bool is_all(const std::vector<std::string>& items) { return items.size() == 1 && items.front() == "ALL"; }

void announce_when_reachable(CommandRequest& request, std::vector<BackendUrl> backends, std::string target,
                             bool entering) {
  const LaterLine lines = request.later_line();
  if (backends.empty()) {
    lines.send("MAINT_OK", target);
    return;
  }
  wait_until_reachable(request.plane.io(), std::move(backends), request.plane.settings().maint_verify_timeout,
                       [lines, target, entering](bool reachable, const std::string& backend) {
                         if (reachable) lines.send("MAINT_OK", target);
                         else if (entering) lines.send("ERROR", "timeout waiting for maintenance page to become reachable");
                         else lines.send("ERROR", "timeout waiting for backend " + backend + " to become reachable");
                       });
}

}  // namespace

Reply drain_start(CommandRequest& request) {
  Session& session = *request.session;
  session.drain = proxy::DrainWindow{request.now, request.duration(1)};
  session.drain_completed_announced = false;
  request.plane.routes_changed();
  return {"DRAIN_OK", format_time(session.drain->completes_at())};
}

Reply drain_status(CommandRequest& request) {
  const Session& session = *request.session;
  if (!session.drain) return Reply::error("no drain in progress");
  const proxy::DrainWindow& drain = *session.drain;
  const double seconds = std::chrono::duration<double>(drain.duration).count();
  const double elapsed = std::clamp(std::chrono::duration<double>(request.now - drain.started_at).count(), 0.0, seconds);
  const nlohmann::json status = {
      {"active", true},
      {"completed", drain.completed(request.now)},
      {"started_at", format_time(drain.started_at)},
      {"completes_at", format_time(drain.completes_at())},
      {"duration_seconds", seconds},
      {"elapsed_seconds", std::round(elapsed * 10) / 10},
      {"remaining_seconds", std::round((seconds - elapsed) * 10) / 10},
      {"traffic_percent", std::round(drain.traffic_fraction(request.now) * 1000) / 10},
      {"in_flight", in_flight_of(request.plane, session)}};
  return {"DRAIN_STATUS_OK", status.dump()};
}

Reply drain_cancel(CommandRequest& request) {
  Session& session = *request.session;
  if (!session.drain) return Reply::error("no drain in progress");
  session.drain.reset();
  request.plane.routes_changed();
  return {"DRAIN_OK", {}};
}

Reply maint_enter(CommandRequest& request) {
  Session& session = *request.session;
  const auto& items = request.list(1);
  Maintenance& maintenance = session.maintenance;
  if (is_all(items)) {
    maintenance.all = true;
    maintenance.excepted.clear();
  } else {
    auto selected = select_routes(session, items);
    if (!selected) return Reply::error(selected.error());
    maintenance.routes.insert(selected->begin(), selected->end());
    for (std::uint64_t number : *selected) maintenance.excepted.erase(number);
  }
  maintenance.backend = request.has(2) ? std::optional<BackendUrl>(request.backend(2)) : std::nullopt;
  maintenance.entered_at = request.now;
  request.plane.routes_changed();

  std::vector<BackendUrl> to_check;
  if (maintenance.backend) to_check.push_back(*maintenance.backend);
  announce_when_reachable(request, std::move(to_check), std::string(request.command.field(1)), true);
  return {"ACK", {}};
}

Reply maint_exit(CommandRequest& request) {
  Session& session = *request.session;
  const auto& items = request.list(1);
  Maintenance& maintenance = session.maintenance;
  std::set<std::uint64_t> leaving;
  if (is_all(items)) {
    for (const auto& [number, route] : session.active.routes)
      if (maintenance.covers(number)) leaving.insert(number);
    maintenance = Maintenance{};
  } else {
    auto selected = select_routes(session, items);
    if (!selected) return Reply::error(selected.error());
    for (std::uint64_t number : *selected) {
      if (maintenance.covers(number)) leaving.insert(number);
      maintenance.routes.erase(number);
      if (maintenance.all) maintenance.excepted.insert(number);
    }
    if (!maintenance.active()) maintenance = Maintenance{};
  }
  request.plane.routes_changed();

  std::vector<BackendUrl> to_check;
  for (std::uint64_t number : leaving) {
    auto route = session.active.routes.find(number);
    if (route != session.active.routes.end() &&
        std::find(to_check.begin(), to_check.end(), route->second.backend) == to_check.end())
      to_check.push_back(route->second.backend);
  }
  announce_when_reachable(request, std::move(to_check), std::string(request.command.field(1)), false);
  return {"ACK", {}};
}

Reply maint_status(CommandRequest& request) {
  const Session& session = *request.session;
  const Maintenance& maintenance = session.maintenance;
  nlohmann::json routes = nlohmann::json::array();
  for (const auto& [number, route] : session.active.routes)
    if (maintenance.covers(number)) routes.push_back(format_route_id(number));
  if (!maintenance.all) {
    // Routes selected while still staged are in maintenance as soon as they apply.
    for (std::uint64_t number : maintenance.routes)
      if (!session.active.routes.count(number)) routes.push_back(format_route_id(number));
  }
  const nlohmann::json status = {
      {"in_maintenance", routes},
      {"all", maintenance.all},
      {"maintenance_backend", maintenance.backend ? nlohmann::json(maintenance.backend->to_string()) : nlohmann::json()},
      {"entered_at", maintenance.active() ? nlohmann::json(format_time(maintenance.entered_at)) : nlohmann::json()}};
  return {"MAINT_STATUS_OK", status.dump()};
}

}  // namespace reg::control::handlers
