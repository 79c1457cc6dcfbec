#include "daemon/proxy/route_runtime.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <string>

#include "daemon/proxy/latency_histogram.hpp"
#include "daemon/proxy/single_writer_counter.hpp"

namespace reg::proxy {
namespace {

constexpr int kLowestStatus = RouteStats::kLowestStatus;
constexpr int kHighestStatus = RouteStats::kHighestStatus;
constexpr int kStatusesPerClass = 100;
constexpr int kStatusClasses = (kHighestStatus - kLowestStatus + 1) / kStatusesPerClass;
constexpr std::size_t kCacheLine = 64;

using StatusTotals = decltype(RouteStats::status_codes);

// The codes nearly all responses carry, each with its own counter. Beyond the
// usual ones: 101 answers every WebSocket upgrade, 206 every range request,
// 307 and 308 are routine redirects.
constexpr std::array<int, 22> kCommonStatuses = {
    101, 200, 201, 204, 206, 301, 302, 304, 307, 308, 400,
    401, 403, 404, 405, 408, 413, 429, 500, 502, 503, 504,
};

constexpr std::uint8_t kUncommon = 0xff;
// Position of each status in kCommonStatuses, or kUncommon: the request path
// finds a status's counter with one lookup instead of a search.
constexpr auto kCommonStatusPosition = [] {
  std::array<std::uint8_t, kHighestStatus - kLowestStatus + 1> positions{};
  positions.fill(kUncommon);
  for (std::size_t position = 0; position < kCommonStatuses.size(); ++position) {
    positions[kCommonStatuses[position] - kLowestStatus] = static_cast<std::uint8_t>(position);
  }
  return positions;
}();

// Response counts by exact status code, 100-599, in little memory. Common
// codes have a counter each. Any other code counts in a block of 100 counters
// for its class (1xx ... 5xx), which the writer allocates the first time a code
// of that class misses the common table, and publishes like a worker slot.
// Rare codes stay exact instead of falling into a per-class "other" bucket
// because STATS_GET reports exact codes; a route that answers only common
// codes never pays for a block, one that also sends a 207 pays for the 2xx
// block alone.
class StatusCounters {
 public:
  StatusCounters() = default;
  ~StatusCounters() {
    for (auto& block : uncommon_) delete block.load(std::memory_order_acquire);
  }
  StatusCounters(const StatusCounters&) = delete;
  StatusCounters& operator=(const StatusCounters&) = delete;

  // Only from the owning worker thread; `status` in [kLowestStatus, kHighestStatus].
  void add(int status) {
    const int offset = status - kLowestStatus;
    const std::uint8_t position = kCommonStatusPosition[offset];
    if (position != kUncommon) {
      common_[position].add(1);
      return;
    }
    std::atomic<ClassCounters*>& published = uncommon_[offset / kStatusesPerClass];
    // Only this thread stores the pointer, so a relaxed load sees its own store.
    ClassCounters* block = published.load(std::memory_order_relaxed);
    if (block == nullptr) {
      block = new ClassCounters();
      published.store(block, std::memory_order_release);
    }
    (*block)[offset % kStatusesPerClass].add(1);
  }

  // Any thread: adds these counts to `totals`, indexed by status - kLowestStatus.
  void add_to(StatusTotals& totals) const {
    for (std::size_t position = 0; position < kCommonStatuses.size(); ++position) {
      totals[kCommonStatuses[position] - kLowestStatus] += common_[position].load();
    }
    // A block's counters for common codes stay zero, so adding them all is exact.
    for (int status_class = 0; status_class < kStatusClasses; ++status_class) {
      const ClassCounters* block = uncommon_[status_class].load(std::memory_order_acquire);
      if (block == nullptr) continue;
      for (int code = 0; code < kStatusesPerClass; ++code) {
        totals[status_class * kStatusesPerClass + code] += (*block)[code].load();
      }
    }
  }

 private:
  using ClassCounters = std::array<SingleWriterCounter, kStatusesPerClass>;
  std::array<SingleWriterCounter, kCommonStatuses.size()> common_;
  std::array<std::atomic<ClassCounters*>, kStatusClasses> uncommon_{};
};

// STATS_GET shows latencies in milliseconds with at most three decimals.
double to_milliseconds(double micros) { return std::round(micros) / 1000.0; }

}  // namespace

// Aligned so that no two workers' slots share a cache line.
struct alignas(kCacheLine) RouteRuntime::WorkerSlot {
  SingleWriterCounter started;
  SingleWriterCounter finished;  // every finished request: the route's request count
  SingleWriterCounter errors;
  SingleWriterCounter bytes_sent;
  SingleWriterCounter bytes_received;
  SingleWriterCounter rate_limited;
  SingleWriterCounter circuit_rejected;
  SingleWriterCounter maintenance_hits;
  SingleWriterCounter drain_rejected;
  StatusCounters status_codes;
  LatencyHistogram latency;
};

RouteRuntime::RouteRuntime(unsigned worker_count, std::chrono::steady_clock::time_point joined_at)
    : worker_count_(worker_count),
      joined_at_(joined_at),
      slots_(std::make_unique<std::atomic<WorkerSlot*>[]>(worker_count)) {
  assert(worker_count > 0);
}

RouteRuntime::~RouteRuntime() {
  for (unsigned worker = 0; worker < worker_count_; ++worker) {
    delete slots_[worker].load(std::memory_order_acquire);
  }
}

RouteRuntime::WorkerSlot& RouteRuntime::own_slot(unsigned worker) {
  assert(worker < worker_count_);
  // Only this worker stores its pointer, so a relaxed load sees its own store.
  WorkerSlot* slot = slots_[worker].load(std::memory_order_relaxed);
  if (slot == nullptr) {
    slot = new WorkerSlot();
    slots_[worker].store(slot, std::memory_order_release);
  }
  return *slot;
}

void RouteRuntime::request_started(unsigned worker) { own_slot(worker).started.add(1); }

// A request finishes on the worker that started it, so the slot is there
// already; going through own_slot anyway turns a finish without a start into
// a miscount rather than a crash.
void RouteRuntime::request_finished(unsigned worker, const RequestOutcome& outcome) {
  WorkerSlot& slot = own_slot(worker);
  slot.bytes_sent.add(outcome.bytes_sent);
  slot.bytes_received.add(outcome.bytes_received);
  if (outcome.status >= kLowestStatus && outcome.status <= kHighestStatus) {
    slot.status_codes.add(outcome.status);
  }
  // Latency describes the route's backends: counting the proxy's own instant
  // rejections would hide a slow backend behind a flood of 429s.
  switch (outcome.disposition) {
    case Disposition::proxied:
      if (outcome.status >= 500) slot.errors.add(1);
      slot.latency.record(outcome.latency);
      break;
    case Disposition::backend_failure:
      slot.errors.add(1);
      slot.latency.record(outcome.latency);
      break;
    case Disposition::rate_limited:
      slot.rate_limited.add(1);
      break;
    case Disposition::circuit_rejected:
      slot.circuit_rejected.add(1);
      break;
    case Disposition::maintenance:
      slot.maintenance_hits.add(1);
      break;
    case Disposition::drain_rejected:
      slot.drain_rejected.add(1);
      break;
    case Disposition::no_backend:
    case Disposition::proxy_rejected:
      break;
  }
  slot.finished.add(1);
}

std::int64_t RouteRuntime::in_flight() const {
  std::int64_t running = 0;
  for (unsigned worker = 0; worker < worker_count_; ++worker) {
    const WorkerSlot* slot = slots_[worker].load(std::memory_order_acquire);
    if (slot == nullptr) continue;
    // Finished first: every finish seen then has its start seen too, so the
    // count may run high by a request, not below zero.
    const auto finished = slot->finished.load();
    const auto started = slot->started.load();
    running += static_cast<std::int64_t>(started - finished);
  }
  // Relaxed loads may still see a finish before its start; never report that.
  return std::max<std::int64_t>(running, 0);
}

bool RouteRuntime::served_any() const {
  for (unsigned worker = 0; worker < worker_count_; ++worker) {
    if (slots_[worker].load(std::memory_order_acquire) != nullptr) return true;
  }
  return false;
}

RouteStats RouteRuntime::stats() const {
  RouteStats stats;
  for (unsigned worker = 0; worker < worker_count_; ++worker) {
    const WorkerSlot* slot = slots_[worker].load(std::memory_order_acquire);
    if (slot == nullptr) continue;
    stats.requests += slot->finished.load();
    stats.errors += slot->errors.load();
    stats.bytes_sent += slot->bytes_sent.load();
    stats.bytes_received += slot->bytes_received.load();
    stats.rate_limited += slot->rate_limited.load();
    stats.circuit_rejected += slot->circuit_rejected.load();
    stats.maintenance_hits += slot->maintenance_hits.load();
    stats.drain_rejected += slot->drain_rejected.load();
    slot->latency.add_to(stats.latency);
    slot->status_codes.add_to(stats.status_codes);
  }
  stats.in_flight = in_flight();
  return stats;
}

nlohmann::json RouteRuntime::stats_json(std::string_view route_id) const {
  const RouteStats stats = this->stats();
  nlohmann::json status_codes = nlohmann::json::object();
  for (int status = kLowestStatus; status <= kHighestStatus; ++status) {
    const std::uint64_t count = stats.status_codes[status - kLowestStatus];
    if (count > 0) status_codes[std::to_string(status)] = count;
  }

  return {
      {"route_id", std::string(route_id)},
      {"requests", stats.requests},
      {"errors", stats.errors},
      {"avg_latency_ms", to_milliseconds(stats.latency.mean_micros())},
      {"p50_latency_ms", to_milliseconds(stats.latency.percentile_micros(50))},
      {"p95_latency_ms", to_milliseconds(stats.latency.percentile_micros(95))},
      {"p99_latency_ms", to_milliseconds(stats.latency.percentile_micros(99))},
      {"bytes_sent", stats.bytes_sent},
      {"bytes_received", stats.bytes_received},
      {"status_codes", std::move(status_codes)},
      {"rate_limited", stats.rate_limited},
      {"circuit_rejected", stats.circuit_rejected},
      {"maintenance_hits", stats.maintenance_hits},
      {"drain_rejected", stats.drain_rejected},
      {"in_flight", stats.in_flight},
  };
}

}  // namespace reg::proxy
