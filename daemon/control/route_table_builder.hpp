#pragma once
// Turns every session's active configuration and operational state into the
// immutable RouteTable the proxy serves.
#include <memory>

#include "daemon/control/health_monitor.hpp"
#include "daemon/control/route_runtimes.hpp"
#include "daemon/control/session_registry.hpp"
#include "daemon/proxy/route_table.hpp"

namespace reg::control {

// Sets the options given for `target` (a route, or kAllRoutes) over `options`.
void apply_options(const SessionConfig& config, Target target, proxy::RouteOptions& options);
// The session's ALL options, overridden by the route's own.
proxy::RouteOptions resolve_options(const SessionConfig& config, std::uint64_t route);

std::shared_ptr<const proxy::RouteTable> build_route_table(const SessionRegistry& registry,
                                                           RouteRuntimes& runtimes,
                                                           const HealthMonitor& health);

}  // namespace reg::control
