// VERSION, AUTH, ROUTE_TABLE.
#include <cmath>

#include "common/version.hpp"
#include "daemon/control/handlers/handlers.hpp"
#include "daemon/proxy/backend_health.hpp"
#include "daemon/proxy/circuit_breaker.hpp"

namespace reg::control::handlers {

Reply version(CommandRequest&) {
  nlohmann::json commands = nlohmann::json::array();
  for (const auto& spec : command_table()) commands.push_back(spec.name);
  return {"VERSION_OK", nlohmann::json{{"protocol", 2}, {"server", "regd " + reg::version()}, {"commands", commands}}.dump()};
}

// Reached only on a connection that needs no (more) authentication: the
// dispatcher checks tokens before any handler runs.
Reply auth(CommandRequest&) { return {"OK", {}}; }

Reply route_table(CommandRequest& request) {
  const auto now = request.now;
  nlohmann::json pools = nlohmann::json::array();
  for (const proxy::Pool* pool : request.plane.route_table().pools_by_host()) {
    nlohmann::json backends = nlohmann::json::array();
    for (const auto& entry : pool->backends) {
      const double share = entry.drain ? entry.drain->traffic_fraction(now) : 1.0;
      backends.push_back({{"route_id", entry.route_id},
                          {"backend", entry.backend.to_string()},
                          {"service_name", entry.owner->service_name},
                          {"instance_name", entry.owner->instance_name},
                          {"weight", entry.options.weight},
                          {"healthy", !entry.health || entry.health->healthy()},
                          {"circuit", entry.circuit ? proxy::circuit_state_name(entry.circuit->state(request.steady_now))
                                                    : std::string_view("closed")},
                          {"maintenance", entry.maintenance != nullptr},
                          {"draining", entry.drain.has_value()},
                          {"traffic_percent", std::round(share * 1000) / 10},
                          {"detached", entry.detached}});
    }
    pools.push_back({{"host", pool->host}, {"path", pool->path}, {"priority", pool->priority}, {"backends", backends}});
  }
  return {"ROUTE_TABLE_OK", pools.dump()};
}

}  // namespace reg::control::handlers
