// STATS_GET, BACKEND_TEST, SUBSCRIBE, UNSUBSCRIBE, CIRCUIT_BREAKER_STATUS/RESET.
#include "daemon/control/control_connection.hpp"
#include "daemon/control/handlers/handlers.hpp"
#include "daemon/control/session_view.hpp"
#include "common/time_format.hpp"
#include "daemon/proxy/backend_health.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/http_probe.hpp"

namespace reg::control::handlers {
namespace {

constexpr Milliseconds kBackendTestTimeout{5000};

nlohmann::json route_stats(ControlPlane& plane, std::uint64_t number) {
  const std::string id = format_route_id(number);
  if (const auto* runtime = plane.runtimes().find(number)) return runtime->stats_json(id);
  // Staged but never applied: nothing has been counted.
  return proxy::RouteRuntime(1, {}).stats_json(id);
}

}  // namespace

Reply stats_get(CommandRequest& request) {
  const Session& session = *request.session;
  ControlPlane& plane = request.plane;
  if (!request.has(1) || request.text(1) == "ALL") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& [number, route] : session.active.routes) all.push_back(route_stats(plane, number));
    return {"STATS_OK", all.dump()};
  }
  const std::uint64_t number = *parse_route_id(request.text(1));
  if (!session_has_route(session, number)) return Reply::error("route not found: " + request.text(1));
  return {"STATS_OK", route_stats(plane, number).dump()};
}

Reply backend_test(CommandRequest& request) {
  const DeferredReply reply = request.defer();
  proxy::async_probe(request.plane.io(), request.backend(1), "", kBackendTestTimeout,
                     [reply](const proxy::ProbeResult& result) {
                       if (result.reachable) {
                         reply.send({"BACKEND_OK", nlohmann::json{{"reachable", true},
                                                                  {"response_time_ms", result.response_time.count()},
                                                                  {"status_code", result.status_code},
                                                                  {"tls_valid", result.tls_valid}}
                                                       .dump()});
                       } else {
                         reply.send({"BACKEND_FAIL",
                                     nlohmann::json{{"reachable", false}, {"error", result.error}}.dump()});
                       }
                     });
  return Reply::deferred();
}

Reply subscribe(CommandRequest& request) {
  request.plane.events().subscribe(request.connection.shared_from_this(), request.session->id, request.text(1));
  return {"SUBSCRIBE_OK", {}};
}

Reply unsubscribe(CommandRequest& request) {
  request.plane.events().unsubscribe(request.connection.connection_id(), request.session->id, request.text(1));
  return {"UNSUBSCRIBE_OK", {}};
}

Reply circuit_breaker_status(CommandRequest& request) {
  const Session& session = *request.session;
  const std::uint64_t number = request.route(1);
  if (!session_has_route(session, number)) return Reply::error("route not found: " + format_route_id(number));
  const auto optional_time = [](const std::optional<std::chrono::system_clock::time_point>& time) {
    return time ? nlohmann::json(format_time(*time)) : nlohmann::json();
  };
  // A route without a breaker never opens: closed, nothing counted.
  proxy::CircuitSnapshot circuit;
  if (const proxy::CircuitBreaker* breaker = request.plane.runtimes().find_circuit(number))
    circuit = breaker->snapshot(request.steady_now, request.now);
  const proxy::RouteTable& table = request.plane.route_table();
  bool healthy = true;
  for (const auto& pool : table.pools()) {
    for (const auto& entry : pool.backends)
      if (entry.route_number == number && entry.health) healthy = entry.health->healthy();
  }
  const nlohmann::json status = {{"route_id", format_route_id(number)},
                                 {"state", proxy::circuit_state_name(circuit.state)},
                                 {"failures", circuit.failures},
                                 {"successes", circuit.successes},
                                 {"last_failure", optional_time(circuit.last_failure)},
                                 {"next_attempt", optional_time(circuit.next_attempt)},
                                 {"healthy", healthy},
                                 {"in_maintenance", session.maintenance.covers(number)},
                                 {"draining", session.drain.has_value()}};
  return {"CIRCUIT_STATUS_OK", status.dump()};
}

Reply circuit_breaker_reset(CommandRequest& request) {
  const Session& session = *request.session;
  const std::uint64_t number = request.route(1);
  if (!session_has_route(session, number)) return Reply::error("route not found: " + format_route_id(number));
  if (proxy::CircuitBreaker* breaker = request.plane.runtimes().find_circuit(number)) {
    if (auto transition = breaker->reset(std::chrono::steady_clock::now()))
      request.plane.circuit_changed(number, *transition);
  }
  return {"CIRCUIT_OK", {}};
}

}  // namespace reg::control::handlers
