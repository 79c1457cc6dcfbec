// ROUTE_ADD, ROUTE_ADD_BULK, ROUTE_UPDATE, ROUTE_REMOVE, ROUTE_LIST.
#include <set>

#include "daemon/control/bulk_route_entry.hpp"
#include "daemon/control/handlers/handlers.hpp"
#include "daemon/control/session_view.hpp"

namespace reg::control::handlers {
namespace {

std::string conflict_message(std::string_view route, const std::pair<std::uint64_t, std::string>& conflict) {
  return std::string(route) + " conflicts with " + format_route_id(conflict.first) + " on " + conflict.second;
}

Reply route_limit_error(const ControlPlane& plane) {
  return Reply::error("route limit reached: " + std::to_string(plane.settings().max_routes_per_session) +
                      " routes per session");
}

}  // namespace

Reply route_add(CommandRequest& request) {
  Session& session = *request.session;
  ControlPlane& plane = request.plane;
  if (session.view().routes.size() >= plane.settings().max_routes_per_session) return route_limit_error(plane);
  RouteSpec route{request.list(1), request.text(2), request.backend(3), request.integer(4)};
  if (auto conflict = session.find_conflict(route, 0)) return Reply::error(conflict_message("new route", *conflict));
  const std::uint64_t number = plane.sessions().allocate_route_number();
  session.index_route(number, route);
  session.staging(request.steady_now).routes.emplace(number, std::move(route));
  plane.sessions().journal().staged_route_changed(session, number);
  return {"ROUTE_OK", format_route_id(number)};
}

Reply route_add_bulk(CommandRequest& request) {
  Session& session = *request.session;
  ControlPlane& plane = request.plane;
  const nlohmann::json& entries = request.json(1);
  if (session.view().routes.size() + entries.size() > plane.settings().max_routes_per_session)
    return route_limit_error(plane);

  std::vector<RouteSpec> routes;
  routes.reserve(entries.size());
  std::map<std::string, std::size_t> batch_keys;  // conflicts inside the batch
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string label = "route " + std::to_string(i + 1) + ": ";
    auto route = parse_bulk_route_entry(entries[i]);
    if (!route) return Reply::error(label + route.error());
    if (auto conflict = session.find_conflict(*route, 0))
      return Reply::error(label + conflict_message("new route", *conflict));
    for (const auto& domain : route->domains) {
      auto [slot, added] = batch_keys.emplace(route_key(domain, route->path), i + 1);
      if (!added) {
        return Reply::error(label + "new route conflicts with route " + std::to_string(slot->second) + " on " +
                            domain + route->path);
      }
    }
    routes.push_back(std::move(*route));
  }

  nlohmann::json results = nlohmann::json::array();
  SessionConfig& staged = session.staging(request.steady_now);
  for (auto& route : routes) {
    const std::uint64_t number = plane.sessions().allocate_route_number();
    session.index_route(number, route);
    staged.routes.emplace(number, std::move(route));
    plane.sessions().journal().staged_route_changed(session, number);
    results.push_back({{"route_id", format_route_id(number)}, {"status", "ok"}});
  }
  return {"ROUTE_BULK_OK", results.dump()};
}

Reply route_update(CommandRequest& request) {
  Session& session = *request.session;
  const std::uint64_t number = request.route(1);
  const std::string route_id = format_route_id(number);
  const auto& view = session.view().routes;
  auto current = view.find(number);
  if (current == view.end()) {
    if (session.active.routes.count(number)) return Reply::error("route " + route_id + " is pending removal");
    return Reply::error("route not found: " + route_id);
  }
  RouteSpec updated = current->second;
  const std::string& field = request.text(2);
  const std::string& value = request.text(3);
  if (field == "backend_url") {
    auto backend = parse_backend_url(value);
    if (!backend) return Reply::error(backend.error());
    updated.backend = std::move(*backend);
  } else if (field == "priority") {
    auto priority = parse_priority(value);
    if (!priority) return Reply::error(priority.error());
    updated.priority = *priority;
  } else if (field == "domains") {
    auto domains = parse_domains(value);
    if (!domains) return Reply::error(domains.error());
    updated.domains = std::move(*domains);
  } else {
    auto path = parse_path(value);
    if (!path) return Reply::error(path.error());
    updated.path = std::move(*path);
  }
  if (auto conflict = session.find_conflict(updated, number))
    return Reply::error(conflict_message("route " + route_id, *conflict));
  session.unindex_route(current->second);
  session.index_route(number, updated);
  session.staging(request.steady_now).routes[number] = std::move(updated);
  request.plane.sessions().journal().staged_route_changed(session, number);
  return {"ROUTE_OK", {}};
}

Reply route_remove(CommandRequest& request) {
  Session& session = *request.session;
  const std::uint64_t number = request.route(1);
  if (!session_has_route(session, number)) return Reply::error("route not found: " + format_route_id(number));
  SessionConfig& staged = session.staging(request.steady_now);
  auto route = staged.routes.find(number);
  if (route != staged.routes.end()) {
    session.unindex_route(route->second);
    staged.routes.erase(route);
  }
  staged.remove_settings_of(number);
  request.plane.sessions().journal().staged_route_changed(session, number);
  return {"ROUTE_OK", {}};
}

Reply route_list(CommandRequest& request) {
  nlohmann::json list = nlohmann::json::array();
  visit_routes(*request.session, [&](std::uint64_t number, const RouteSpec& route, std::string_view status) {
    nlohmann::json entry = route_json(number, route);
    entry["status"] = status;
    list.push_back(std::move(entry));
  });
  return {"ROUTE_LIST_OK", list.dump()};
}

}  // namespace reg::control::handlers
