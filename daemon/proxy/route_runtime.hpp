#pragma once
// Live per-route state that outlives routing snapshots: counters the proxy
// workers write and the control plane reads (STATS_GET). Each worker writes
// only its own slot, so the request path shares no cache line with another
// worker; readers merge the slots.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/proxy/latency_histogram.hpp"

namespace reg::proxy {

// How the proxy answered one request of a route.
enum class Disposition {
  proxied,           // the backend answered (any status)
  backend_failure,   // 502/504: the backend could not be reached or timed out
  rate_limited,      // 429 from the proxy
  circuit_rejected,  // 503, open circuit
  maintenance,       // maintenance page or maintenance backend
  drain_rejected,    // 503, drain share
  no_backend,        // 503, every backend of the pool out of rotation
  proxy_rejected,    // 400/413 and similar: the proxy refused the request itself
};

struct RequestOutcome {
  Disposition disposition = Disposition::proxied;
  int status = 0;                     // what the client got
  std::uint64_t bytes_sent = 0;       // to the client
  std::uint64_t bytes_received = 0;   // from the client
  std::chrono::microseconds latency{0};
};

// A route's counters summed over every worker: what STATS_GET and /metrics show.
struct RouteStats {
  static constexpr int kLowestStatus = 100;
  static constexpr int kHighestStatus = 599;

  std::uint64_t requests = 0;  // every finished request the route matched
  std::uint64_t errors = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t rate_limited = 0;
  std::uint64_t circuit_rejected = 0;
  std::uint64_t maintenance_hits = 0;
  std::uint64_t drain_rejected = 0;
  std::int64_t in_flight = 0;
  // Responses by status, indexed by status - kLowestStatus.
  std::array<std::uint64_t, kHighestStatus - kLowestStatus + 1> status_codes{};
  LatencySnapshot latency;  // requests a backend answered or failed
};

class RouteRuntime {
 public:
  // `joined_at`: when the route was first applied, where slow start begins.
  RouteRuntime(unsigned worker_count, std::chrono::steady_clock::time_point joined_at);
  ~RouteRuntime();
  RouteRuntime(const RouteRuntime&) = delete;
  RouteRuntime& operator=(const RouteRuntime&) = delete;

  // Called by worker `worker` (0-based, < worker_count) on its own thread.
  void request_started(unsigned worker);
  void request_finished(unsigned worker, const RequestOutcome& outcome);

  std::chrono::steady_clock::time_point joined_at() const { return joined_at_; }

  // Any thread. Requests of this route being served right now.
  std::int64_t in_flight() const;

  // Any thread. False until a worker starts a request of this route; such a
  // route has nothing to merge, and a reader of many routes skips it cheaply.
  bool served_any() const;

  // Any thread: the workers' counters merged.
  RouteStats stats() const;

  // The STATS_GET object of PROTOCOL.md §5 "Observability": route_id,
  // requests, errors, avg/p50/p95/p99 latency in ms, bytes_sent,
  // bytes_received, status_codes, rate_limited, circuit_rejected,
  // maintenance_hits, drain_rejected, in_flight.
  nlohmann::json stats_json(std::string_view route_id) const;

 private:
  struct WorkerSlot;

  // The calling worker's slot, allocated on its first request.
  WorkerSlot& own_slot(unsigned worker);

  unsigned worker_count_;
  std::chrono::steady_clock::time_point joined_at_;
  // One per worker, null until that worker's first request of the route, so
  // an idle route costs one pointer per worker: a daemon holds many routes
  // that see no traffic. The worker publishes its slot with a release store,
  // readers load it with acquire and skip null slots. Each pointer is written
  // once, so workers sharing its cache line only ever read it.
  std::unique_ptr<std::atomic<WorkerSlot*>[]> slots_;
};

}  // namespace reg::proxy
