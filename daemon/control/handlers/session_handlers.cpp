// REGISTER, RECONNECT, PING, SESSION_INFO, CLIENT_SHUTDOWN, SESSION_LIST.
#include <algorithm>

#include "daemon/control/control_connection.hpp"
#include "daemon/control/handlers/handlers.hpp"
#include "daemon/control/session_view.hpp"
#include "daemon/log.hpp"

namespace reg::control::handlers {

Reply register_session(CommandRequest& request) {
  static const nlohmann::json kNoMetadata = nlohmann::json::object();
  const nlohmann::json& metadata = request.has(3) ? request.json(3) : kNoMetadata;
  Lease lease = Lease::connection;
  if (auto found = metadata.find("lease"); found != metadata.end()) {
    if (*found == "persistent") lease = Lease::persistent;
    else if (*found != "connection")
      return Reply::error("invalid lease: " + found->dump() + " (expected \"connection\" or \"persistent\")");
  }
  ControlPlane& plane = request.plane;
  // The same service and instance again replaces the older session, so
  // re-registering never runs into the session limit.
  Session* replaced = plane.sessions().find_by_name(request.text(0), request.text(1));
  const std::size_t limit = plane.settings().max_sessions;
  if (replaced == nullptr && plane.sessions().sessions().size() >= limit)
    return Reply::error("session limit reached: " + std::to_string(limit) + " sessions");
  if (replaced) plane.end_session(replaced->id);

  auto session = std::make_unique<Session>();
  session->service_name = request.text(0);
  session->instance_name = request.text(1);
  session->maintenance_port = request.integer(2);
  session->metadata = metadata;
  session->lease = lease;
  session->connected_at = request.now;
  session->last_activity = request.now;
  Session& added = plane.sessions().add(std::move(session));
  plane.sessions().hold(added, request.connection.connection_id());
  if (log::enabled(log::Level::debug)) {
    log::debug("session registered", {{"session", redact_session_id(added.id)},
                                      {"service", added.service_name},
                                      {"instance", added.instance_name},
                                      {"lease", lease == Lease::persistent ? "persistent" : "connection"}});
  }
  return {"ACK", added.id};
}

Reply reconnect(CommandRequest& request) {
  Session* session = request.session;
  if (session == nullptr) return {"REREGISTER", {}};
  log::debug("session reconnected", {{"session", redact_session_id(session->id)}});
  request.plane.sessions().hold(*session, request.connection.connection_id());
  if (session->detached_since) {
    session->detached_since.reset();
    if (!session->active.routes.empty()) request.plane.routes_changed();
  }
  return {"OK", {}};
}

Reply ping(CommandRequest&) { return {"PONG", {}}; }

Reply session_info(CommandRequest& request) {
  return {"SESSION_OK", session_json(*request.session, request.now).dump()};
}

Reply client_shutdown(CommandRequest& request) {
  log::debug("session shut down by its client", {{"session", redact_session_id(request.session->id)}});
  request.plane.end_session(request.session->id);
  return {"SHUTDOWN_OK", {}};
}

Reply session_list(CommandRequest& request) {
  std::vector<const Session*> sessions;
  for (const auto& [id, session] : request.plane.sessions().sessions()) sessions.push_back(session.get());
  std::sort(sessions.begin(), sessions.end(), [](const Session* a, const Session* b) {
    return std::tie(a->service_name, a->instance_name) < std::tie(b->service_name, b->instance_name);
  });
  nlohmann::json list = nlohmann::json::array();
  for (const Session* session : sessions) list.push_back(session_json(*session, request.now));
  return {"SESSION_LIST_OK", list.dump()};
}

}  // namespace reg::control::handlers
