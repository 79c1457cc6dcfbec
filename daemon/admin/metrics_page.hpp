#pragma once
// GET /metrics: the daemon's state and every applied route's live counters in
// the Prometheus text format (README "Metrics"). Rendered on the control
// thread, which owns the state it reads; the proxy workers' counters are
// merged as STATS_GET merges them.
#include "daemon/admin/admin_server.hpp"

namespace reg::control {
class ControlPlane;
class ControlServer;
}  // namespace reg::control

namespace reg::admin {

AdminPage render_metrics(control::ControlPlane& plane, const control::ControlServer& control_server);

}  // namespace reg::admin
