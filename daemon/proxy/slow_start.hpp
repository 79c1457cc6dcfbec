#pragma once
// Slow start (option `slow_start`, PROTOCOL.md §5): a backend that joins a
// pool or comes back (health check passing again, circuit closing) gets 10 %
// of its weight at first, rising linearly to 100 % over the duration, as in
// HAProxy and Envoy, so a cold instance is not flooded with its full share.
// The times live in state that outlives routing snapshots (RouteRuntime,
// BackendHealth, CircuitBreaker), so a rebuild of the table restarts nothing.
#include "daemon/proxy/route_table.hpp"

namespace reg::proxy {

// Where the ramp starts: the share of a backend that has just (re)entered.
inline constexpr double kSlowStartFirstShare = 0.1;

// The fraction of its weight `entry` gets at `now`: 1.0 without slow start
// or once the ramp is over.
double slow_start_share(const BackendEntry& entry, SteadyTime now);

}  // namespace reg::proxy
