#pragma once
// GET /metrics: the daemon's state and every applied route's live counters in
// the Prometheus text format (README "Metrics"). The control thread counts
// sessions and takes the routing snapshot; the page is rendered from them on
// the admin server's render thread, merging the proxy workers' counters as
// STATS_GET merges them, so 100,000 routes do not hold up the control protocol.
#include "daemon/admin/admin_server.hpp"

namespace reg::control {
class ControlPlane;
class ControlServer;
}  // namespace reg::control

namespace reg::admin {

PageRenderer prepare_metrics(control::ControlPlane& plane, const control::ControlServer& control_server);

}  // namespace reg::admin
