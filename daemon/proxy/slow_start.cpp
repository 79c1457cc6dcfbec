#include "daemon/proxy/slow_start.hpp"

#include <algorithm>

#include "daemon/proxy/backend_health.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/route_runtime.hpp"

namespace reg::proxy {
namespace {

// The latest of: the route applied, its health check passing again, its
// circuit closing.
SteadyTime back_in_rotation_since(const BackendEntry& entry) {
  SteadyTime since{};
  if (entry.runtime) since = std::max(since, entry.runtime->joined_at());
  if (entry.health) since = std::max(since, entry.health->healthy_since());
  if (entry.circuit) since = std::max(since, entry.circuit->closed_since());
  return since;
}

}  // namespace

double slow_start_share(const BackendEntry& entry, SteadyTime now) {
  const Milliseconds ramp = entry.options.slow_start;
  if (ramp.count() <= 0) return 1.0;
  const double elapsed = std::chrono::duration<double, std::milli>(now - back_in_rotation_since(entry)).count();
  const double progress = std::clamp(elapsed / static_cast<double>(ramp.count()), 0.0, 1.0);
  return kSlowStartFirstShare + (1.0 - kSlowStartFirstShare) * progress;
}

}  // namespace reg::proxy
