#include "daemon/proxy/load_balancer.hpp"

#include <algorithm>

#include "daemon/proxy/slow_start.hpp"

namespace reg::proxy {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

double traffic_share(const BackendEntry& entry, SystemTime now) {
  return entry.drain ? entry.drain->traffic_fraction(now) : 1.0;
}

// Smooth weighted round robin step: every candidate gains its weight, the
// richest wins and pays the total. Returns the index, or npos when no
// candidate has a positive weight.
template <class WeightOf>
std::size_t smooth_round_robin(const Pool& pool, const std::vector<bool>& in_rotation, std::vector<double>& current,
                               WeightOf weight_of) {
  std::size_t best = kNone;
  double total = 0.0;
  for (std::size_t i = 0; i < pool.backends.size(); ++i) {
    const BackendEntry& entry = pool.backends[i];
    if (!in_rotation[i]) continue;
    const double weight = weight_of(entry);
    if (weight <= 0.0) continue;
    current[i] += weight;
    total += weight;
    if (best == kNone || current[i] > current[best]) best = i;
  }
  if (best != kNone) current[best] -= total;
  return best;
}

bool is_excluded(const BackendEntry& entry, std::span<const BackendEntry* const> excluded) {
  return std::find(excluded.begin(), excluded.end(), &entry) != excluded.end();
}

// Nothing in rotation. An open circuit fails fast on purpose (PROTOCOL.md
// §5), which its route counts and the client may retry; a pool with no live
// backend at all is another matter.
BackendChoice refusal(const Pool& pool, SteadyTime steady_now, std::span<const BackendEntry* const> excluded) {
  for (const BackendEntry& entry : pool.backends) {
    if (entry.rotation(steady_now) == BackendEntry::Rotation::circuit_open && !is_excluded(entry, excluded))
      return {BackendChoice::Verdict::circuit_open, &entry};
  }
  return {BackendChoice::Verdict::no_backend, nullptr};
}

}  // namespace

BackendChoice LoadBalancer::choose(const Pool& pool, SystemTime now, SteadyTime steady_now,
                                   std::span<const BackendEntry* const> excluded) {
  // Most pools: one backend, not draining. Its weight (1–1000, scaled by a
  // slow-start share of at least 0.1) is positive, so there is nothing to
  // weigh, and no per-pool state to look up.
  if (pool.backends.size() == 1 && !pool.backends.front().drain) {
    const BackendEntry& only = pool.backends.front();
    if (!only.in_rotation(steady_now) || is_excluded(only, excluded)) return refusal(pool, steady_now, excluded);
    return {BackendChoice::Verdict::forward, &only};
  }

  PoolState& state = pools_[&pool];
  state.current_weight.resize(pool.backends.size(), 0.0);
  // Reused per worker: the rotation is read once per request, not per pass.
  state.in_rotation.resize(pool.backends.size());

  bool any_in_rotation = false;
  bool all_draining = true;
  for (std::size_t i = 0; i < pool.backends.size(); ++i) {
    const BackendEntry& entry = pool.backends[i];
    state.in_rotation[i] = entry.in_rotation(steady_now) && !is_excluded(entry, excluded);
    if (!state.in_rotation[i]) continue;
    any_in_rotation = true;
    if (!entry.drain) all_draining = false;
  }
  if (!any_in_rotation) return refusal(pool, steady_now, excluded);

  const auto scaled_weight = [now, steady_now](const BackendEntry& entry) {
    return entry.options.weight * traffic_share(entry, now) * slow_start_share(entry, steady_now);
  };
  if (!all_draining) {
    const std::size_t chosen = smooth_round_robin(pool, state.in_rotation, state.current_weight, scaled_weight);
    if (chosen == kNone) return {BackendChoice::Verdict::no_backend, nullptr};
    return {BackendChoice::Verdict::forward, &pool.backends[chosen]};
  }

  // Draining alone: nobody can take the drained share, so it is refused.
  // The pool admits the share its drained weights carry, decided before an
  // entry is chosen: choosing first tied each entry's turn to the same
  // verdict, so of two alike one got every admitted request.
  double weight_total = 0.0, drained_weight_total = 0.0;
  for (std::size_t i = 0; i < pool.backends.size(); ++i) {
    if (!state.in_rotation[i]) continue;
    weight_total += pool.backends[i].options.weight;
    drained_weight_total += pool.backends[i].options.weight * traffic_share(pool.backends[i], now);
  }
  state.admission_credit += weight_total > 0.0 ? drained_weight_total / weight_total : 0.0;
  if (state.admission_credit >= 0.5) {
    state.admission_credit -= 1.0;
    const std::size_t chosen = smooth_round_robin(pool, state.in_rotation, state.current_weight, scaled_weight);
    if (chosen != kNone) return {BackendChoice::Verdict::forward, &pool.backends[chosen]};
  }
  // Refusals are charged to the entries in their usual proportions, by a
  // round robin of their own.
  state.refused_weight.resize(pool.backends.size(), 0.0);
  const std::size_t charged = smooth_round_robin(pool, state.in_rotation, state.refused_weight,
                                                 [](const BackendEntry& entry) { return double(entry.options.weight); });
  if (charged == kNone) return {BackendChoice::Verdict::no_backend, nullptr};
  return {BackendChoice::Verdict::drain_rejected, &pool.backends[charged]};
}

}  // namespace reg::proxy
