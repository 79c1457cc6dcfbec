#pragma once
// Chooses the backend of a pool for one request: smooth weighted round robin
// (nginx's algorithm) over the entries in rotation, with a draining entry's
// weight scaled by its remaining traffic share (PROTOCOL.md §5 "Operations",
// §8) and a newly joined or recovered one's by its slow-start share. One instance per worker thread, so choosing never touches memory that
// another thread writes.
#include <cstddef>
#include <span>
#include <unordered_map>
#include <vector>

#include "daemon/proxy/drain_window.hpp"
#include "daemon/proxy/route_table.hpp"

namespace reg::proxy {

struct BackendChoice {
  enum class Verdict {
    forward,         // send the request to `entry`
    drain_rejected,  // `entry` would have been chosen, but its drain sheds this request
    circuit_open,    // no entry is in rotation, and `entry` is out only because its circuit is open
    no_backend,      // every entry is detached, unhealthy or excluded; `entry` is null
  };
  Verdict verdict = Verdict::no_backend;
  const BackendEntry* entry = nullptr;
};

class LoadBalancer {
 public:
  // `pool` must belong to the snapshot in use since the last forget_pools().
  // `now` drives drain shares, `steady_now` circuit breakers and slow start. Entries in
  // `excluded` (a retried request's failed backends) count as out of rotation.
  BackendChoice choose(const Pool& pool, SystemTime now, SteadyTime steady_now,
                       std::span<const BackendEntry* const> excluded = {});

  // The worker switched to a new snapshot; the pools of the old one are gone.
  void forget_pools() { pools_.clear(); }

 private:
  struct PoolState {
    std::vector<double> current_weight;  // per entry, smooth round robin state
    std::vector<double> refused_weight;  // the same, for charging refusals while the pool drains alone
    std::vector<bool> in_rotation;       // per entry, for the request being chosen
    // Fraction of requests owed admission while the pool drains alone; an
    // accumulator rather than a random draw, so the admitted share is exact
    // over any run of requests.
    double admission_credit = 0.0;
  };

  std::unordered_map<const Pool*, PoolState> pools_;
};

}  // namespace reg::proxy
