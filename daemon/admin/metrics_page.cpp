#include "daemon/admin/metrics_page.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/version.hpp"
#include "daemon/admin/prometheus_text.hpp"
#include "daemon/control/control_plane.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/proxy/backend_health.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/latency_histogram.hpp"
#include "daemon/proxy/route_runtime.hpp"
#include "daemon/proxy/route_table.hpp"

namespace reg::admin {
namespace {

using proxy::kPrometheusLatencyBounds;
using proxy::RouteStats;

constexpr std::array<std::string_view, 5> kStatusClasses = {"1xx", "2xx", "3xx", "4xx", "5xx"};

// What a route has counted, cut down to what the page prints: a merged
// RouteStats holds the fine histogram and every status code, too much to keep
// for each of many routes until its families are written.
struct RouteTraffic {
  std::array<std::uint64_t, kStatusClasses.size()> responses_by_class{};
  std::uint64_t errors = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t rate_limited = 0;
  std::uint64_t circuit_rejected = 0;
  std::uint64_t maintenance_hits = 0;
  std::uint64_t drain_rejected = 0;
  std::int64_t in_flight = 0;
  std::array<std::uint64_t, kPrometheusLatencyBounds.size()> latency_buckets{};
  std::uint64_t latency_count = 0;
  std::uint64_t latency_sum_micros = 0;

  explicit RouteTraffic(const RouteStats& stats)
      : errors(stats.errors),
        bytes_sent(stats.bytes_sent),
        bytes_received(stats.bytes_received),
        rate_limited(stats.rate_limited),
        circuit_rejected(stats.circuit_rejected),
        maintenance_hits(stats.maintenance_hits),
        drain_rejected(stats.drain_rejected),
        in_flight(stats.in_flight),
        latency_buckets(stats.latency.prometheus_bucket_counts()),
        latency_count(stats.latency.count),
        latency_sum_micros(stats.latency.sum_micros) {
    for (std::size_t offset = 0; offset < stats.status_codes.size(); ++offset) {
      const int status = RouteStats::kLowestStatus + static_cast<int>(offset);
      responses_by_class[status / 100 - 1] += stats.status_codes[offset];
    }
  }
};

// One applied route: its labels and the state each family reads. Series a
// route has no use for are left out rather than printed as zeros: request
// series until it serves a request, circuit state without a breaker, health
// without a check, traffic share without a drain. Many routes are idle, and
// each of them would otherwise cost some twenty lines.
struct RouteRow {
  LabelSet labels;  // route, service, instance: on every per-route series
  std::unique_ptr<const RouteTraffic> traffic;  // out of line: most routes have none
  std::optional<proxy::CircuitState> circuit;
  std::optional<bool> healthy;
  std::optional<double> traffic_percent;
};

// 0 closed, 1 half-open, 2 open: rising with how much traffic it stops.
double circuit_gauge(proxy::CircuitState state) {
  switch (state) {
    case proxy::CircuitState::closed: return 0;
    case proxy::CircuitState::half_open: return 1;
    case proxy::CircuitState::open: return 2;
  }
  return 0;
}

// What the page shows of the control plane, counted on the control thread.
struct ControlCounts {
  std::uint64_t attached = 0;
  std::uint64_t detached = 0;
  std::uint64_t draining = 0;
  std::uint64_t in_maintenance = 0;
  std::uint64_t routes_active = 0;
  std::uint64_t control_connections = 0;
  std::uint64_t applies = 0;
  std::uint64_t events_dropped = 0;
};

ControlCounts count_control_state(control::ControlPlane& plane, const control::ControlServer& control_server) {
  ControlCounts counts;
  for (const auto& [id, session] : plane.sessions().sessions()) {
    ++(session->detached() ? counts.detached : counts.attached);
    if (session->drain) ++counts.draining;
    if (session->maintenance.active()) ++counts.in_maintenance;
    counts.routes_active += session->active.routes.size();
  }
  counts.control_connections = control_server.connection_count();
  counts.applies = plane.applies();
  counts.events_dropped = plane.events_dropped();
  return counts;
}

// A route as the snapshot holds it: an entry in the pool of each of its domains.
struct Membership {
  std::uint64_t route_number;
  std::string_view host;
  std::string_view path;
  const proxy::BackendEntry* entry;
};

// Every route's memberships, together and in route order; a route's domains
// by name, since the snapshot keeps no order of them (the label is the same
// on every scrape).
std::vector<Membership> memberships_of(const proxy::RouteTable& table) {
  std::vector<Membership> memberships;
  std::size_t count = 0;
  for (const proxy::Pool& pool : table.pools()) count += pool.backends.size();
  memberships.reserve(count);
  for (const proxy::Pool& pool : table.pools()) {
    for (const proxy::BackendEntry& entry : pool.backends) {
      memberships.push_back({entry.route_number, pool.host, pool.path, &entry});
    }
  }
  std::sort(memberships.begin(), memberships.end(), [](const Membership& a, const Membership& b) {
    return a.route_number != b.route_number ? a.route_number < b.route_number : a.host < b.host;
  });
  return memberships;
}

// The rows for the per-route families; writes regd_route_info on the way, so
// the labels only it has are never stored.
std::vector<RouteRow> collect_routes(const proxy::RouteTable& table, PrometheusText& out) {
  const auto now = std::chrono::system_clock::now();
  const auto steady_now = std::chrono::steady_clock::now();
  out.family("regd_route_info", MetricType::gauge,
             "Always 1 for each applied route; its labels describe the route.");
  const std::vector<Membership> memberships = memberships_of(table);
  std::vector<RouteRow> rows;
  std::string domains;
  for (std::size_t first = 0; first < memberships.size();) {
    const proxy::BackendEntry& entry = *memberships[first].entry;
    domains.clear();
    std::size_t next = first;
    for (; next < memberships.size() && memberships[next].route_number == entry.route_number; ++next) {
      if (!domains.empty()) domains += ',';
      domains += memberships[next].host;
    }
    RouteRow& row = rows.emplace_back();
    row.labels.add("route", entry.route_id)
        .add("service", entry.owner->service_name)
        .add("instance", entry.owner->instance_name);
    LabelSet info_labels = row.labels;
    info_labels.add("domains", domains)
        .add("path", memberships[first].path)
        .add("backend", entry.backend.to_string());
    out.sample("regd_route_info", info_labels, 1.0);

    if (entry.runtime->served_any()) row.traffic = std::make_unique<const RouteTraffic>(entry.runtime->stats());
    if (entry.circuit) row.circuit = entry.circuit->state(steady_now);
    if (entry.health) row.healthy = entry.health->healthy();
    if (entry.drain) row.traffic_percent = entry.drain->traffic_fraction(now) * 100;
    first = next;
  }
  return rows;
}

void write_global_metrics(PrometheusText& out, const ControlCounts& counts) {
  const LabelSet none;
  out.family("regd_build_info", MetricType::gauge, "Always 1; the version label names the running regd.");
  out.sample("regd_build_info", LabelSet().add("version", version()), 1.0);

  out.family("regd_sessions", MetricType::gauge,
             "Registered sessions by lease state: attached, or detached and waiting for RECONNECT.");
  out.sample("regd_sessions", LabelSet().add("state", "attached"), counts.attached);
  out.sample("regd_sessions", LabelSet().add("state", "detached"), counts.detached);
  out.family("regd_sessions_draining", MetricType::gauge, "Sessions with a drain in place, finished or not.");
  out.sample("regd_sessions_draining", none, counts.draining);
  out.family("regd_sessions_in_maintenance", MetricType::gauge,
             "Sessions with at least one route in maintenance.");
  out.sample("regd_sessions_in_maintenance", none, counts.in_maintenance);

  out.family("regd_control_connections", MetricType::gauge, "Open connections to the control port.");
  out.sample("regd_control_connections", none, counts.control_connections);
  out.family("regd_config_applies_total", MetricType::counter,
             "Successful CONFIG_APPLY and CONFIG_APPLY_PARTIAL commands.");
  out.sample("regd_config_applies_total", none, counts.applies);
  out.family("regd_events_dropped_total", MetricType::counter,
             "Events dropped because a subscriber did not read them in time.");
  out.sample("regd_events_dropped_total", none, counts.events_dropped);
  out.family("regd_routes_active", MetricType::gauge, "Applied routes of every session.");
  out.sample("regd_routes_active", none, counts.routes_active);
}

// One family with a sample for each row that has what `value` reads.
template <class Value>
void write_route_family(PrometheusText& out, const std::vector<RouteRow>& rows, std::string_view name,
                        MetricType type, std::string_view help, Value value) {
  out.family(name, type, help);
  for (const RouteRow& row : rows) {
    if (const auto sample = value(row)) out.sample(name, row.labels, *sample);
  }
}

// A counter family over the routes that have served requests.
void write_traffic_counter(PrometheusText& out, const std::vector<RouteRow>& rows, std::string_view name,
                           std::string_view help, std::uint64_t RouteTraffic::*counter) {
  write_route_family(out, rows, name, MetricType::counter, help, [counter](const RouteRow& row) {
    return row.traffic ? std::optional((*row.traffic).*counter) : std::nullopt;
  });
}

void write_route_metrics(PrometheusText& out, const std::vector<RouteRow>& rows) {
  out.family("regd_route_requests_total", MetricType::counter,
             "Requests the route matched, by the status class clients got (rejections by the proxy included).");
  for (const RouteRow& row : rows) {
    if (!row.traffic) continue;
    for (std::size_t index = 0; index < kStatusClasses.size(); ++index) {
      const std::uint64_t count = row.traffic->responses_by_class[index];
      if (count == 0) continue;
      LabelSet labels = row.labels;
      out.sample("regd_route_requests_total", labels.add("code", kStatusClasses[index]), count);
    }
  }

  write_traffic_counter(out, rows, "regd_route_errors_total",
                        "5xx answers from backends and failures to reach one (502, 504).", &RouteTraffic::errors);

  out.family("regd_route_request_duration_seconds", MetricType::histogram,
             "Time from a request's header to the end of its answer, for requests sent to a backend.");
  for (const RouteRow& row : rows) {
    if (!row.traffic) continue;
    const RouteTraffic& traffic = *row.traffic;
    out.histogram("regd_route_request_duration_seconds", row.labels, kPrometheusLatencyBounds,
                  traffic.latency_buckets, static_cast<double>(traffic.latency_sum_micros) / 1e6,
                  traffic.latency_count);
  }

  write_traffic_counter(out, rows, "regd_route_received_bytes_total", "Bytes received from clients.",
                        &RouteTraffic::bytes_received);
  write_traffic_counter(out, rows, "regd_route_sent_bytes_total", "Bytes sent to clients.",
                        &RouteTraffic::bytes_sent);
  write_traffic_counter(out, rows, "regd_route_rate_limited_total", "Requests refused with 429 by the rate limit.",
                        &RouteTraffic::rate_limited);
  write_traffic_counter(out, rows, "regd_route_circuit_rejected_total",
                        "Requests refused with 503 because the circuit was open.", &RouteTraffic::circuit_rejected);
  write_traffic_counter(out, rows, "regd_route_maintenance_total",
                        "Requests answered by maintenance (built-in page or maintenance backend).",
                        &RouteTraffic::maintenance_hits);
  write_traffic_counter(out, rows, "regd_route_drain_rejected_total",
                        "Requests refused with 503 to shed a draining session's share.",
                        &RouteTraffic::drain_rejected);
  write_route_family(out, rows, "regd_route_in_flight_requests", MetricType::gauge,
                     "Requests of the route being served right now.", [](const RouteRow& row) {
                       return row.traffic ? std::optional(static_cast<double>(row.traffic->in_flight))
                                          : std::nullopt;
                     });

  write_route_family(out, rows, "regd_route_circuit_state", MetricType::gauge,
                     "Circuit breaker state of routes with a breaker: 0 closed, 1 half-open, 2 open.",
                     [](const RouteRow& row) {
                       return row.circuit ? std::optional(circuit_gauge(*row.circuit)) : std::nullopt;
                     });
  write_route_family(out, rows, "regd_route_backend_healthy", MetricType::gauge,
                     "1 when the health check of the route's backend passes, 0 when it fails.",
                     [](const RouteRow& row) {
                       return row.healthy ? std::optional(*row.healthy ? 1.0 : 0.0) : std::nullopt;
                     });
  write_route_family(out, rows, "regd_route_traffic_percent", MetricType::gauge,
                     "Share of traffic a draining session's route still gets, 100 down to 0.",
                     [](const RouteRow& row) { return row.traffic_percent; });
}

}  // namespace

PageRenderer prepare_metrics(control::ControlPlane& plane, const control::ControlServer& control_server) {
  return [counts = count_control_state(plane, control_server), table = plane.shared_route_table()] {
    PrometheusText out;
    write_global_metrics(out, counts);
    const std::vector<RouteRow> rows = collect_routes(*table, out);
    write_route_metrics(out, rows);
    return AdminPage{std::string(kPrometheusContentType), out.take()};
  };
}

}  // namespace reg::admin
