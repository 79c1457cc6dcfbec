#include "daemon/control/control_plane.hpp"

#include <vector>

#include "common/time_format.hpp"
#include "daemon/control/config_diff.hpp"
#include "daemon/control/route_table_builder.hpp"
#include "daemon/log.hpp"
#include "daemon/proxy/circuit_breaker.hpp"

namespace reg::control {
namespace {

// How often leases, staged changes and drains are checked: the precision of
// those timers, at a cost of one pass over the sessions.
constexpr std::chrono::milliseconds kHousekeepingInterval{100};

}  // namespace

ControlPlane::ControlPlane(boost::asio::io_context& io, ControlSettings settings,
                           proxy::RouteTablePublisher& publisher, unsigned proxy_workers, state::StateStore& store)
    : io_(io),
      settings_(std::move(settings)),
      publisher_(publisher),
      state_(io, sessions_, store),
      runtimes_(proxy_workers),
      health_(io, [this](const HealthChange& change) { health_changed(change); }),
      current_table_(publisher.current()),
      housekeeping_timer_(io) {}

Status ControlPlane::restore_state() {
  if (Status restored = state_.restore(); !restored) return restored;
  routes_changed();
  publish_if_changed();
  return success();
}

void ControlPlane::start() { schedule_housekeeping(); }

void ControlPlane::stop() {
  housekeeping_timer_.cancel();
  health_.stop();
  state_.commit_all_now();
}

void ControlPlane::publish_if_changed() {
  if (!routes_dirty_) return;
  routes_dirty_ = false;
  state_.commit_now();
  health_.reconcile(health_checks());
  current_table_ = build_route_table(sessions_, runtimes_, health_);
  publisher_.publish(current_table_);
}

std::vector<HealthCheckSpec> ControlPlane::health_checks() const {
  std::vector<HealthCheckSpec> checks;
  for (const auto& [id, session] : sessions_.sessions()) {
    const SessionConfig& config = session->active;
    for (const auto& [route, check] : config.health) {
      auto applied = config.routes.find(route);
      if (applied == config.routes.end()) continue;
      const proxy::RouteOptions options = resolve_options(config, route);
      checks.push_back({route, applied->second.backend, check.path, check.interval, check.timeout,
                        options.health_rise, options.health_fall, options.health_status});
    }
  }
  return checks;
}

Session* ControlPlane::owner_of(std::uint64_t route) {
  for (const auto& [id, session] : sessions_.sessions())
    if (session->active.routes.count(route)) return session.get();
  return nullptr;
}

void ControlPlane::health_changed(const HealthChange& change) {
  if (Session* owner = owner_of(change.route_number)) {
    events_.publish(owner->id, "backend_health_changed",
                    {{"route_id", format_route_id(change.route_number)},
                     {"backend", change.backend},
                     {"healthy", change.healthy},
                     {"reason", change.reason}});
  }
}

void ControlPlane::circuit_changed(std::uint64_t route, proxy::CircuitTransition transition) {
  if (Session* owner = owner_of(route)) {
    events_.publish(owner->id, "circuit_state_changed",
                    {{"route_id", format_route_id(route)},
                     {"from", proxy::circuit_state_name(transition.from)},
                     {"to", proxy::circuit_state_name(transition.to)}});
  }
}

void ControlPlane::connection_closed(ConnectionId connection) {
  events_.drop_connection(connection);
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, session] : sessions_.sessions()) {
    if (session->holder != connection) continue;
    session->holder = kNoConnection;
    if (session->lease == Lease::connection) {
      log::debug("session detached: its connection closed", {{"session", redact_session_id(id)}});
      session->detached_since = now;
      if (!session->active.routes.empty()) routes_changed();
    }
  }
  publish_if_changed();
}

void ControlPlane::end_session(const std::string& id) {
  Session* session = sessions_.find(id);
  if (session == nullptr) return;
  if (!session->active.routes.empty()) routes_changed();
  events_.drop_session(id);
  sessions_.erase(id);
  publish_if_changed();
}

void ControlPlane::discard_staged(Session& session) {
  session.staged.reset();
  sessions_.journal().staged_discarded(session);
  session.rebuild_route_keys();
}

void ControlPlane::schedule_housekeeping() {
  housekeeping_timer_.expires_after(kHousekeepingInterval);
  housekeeping_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    housekeeping();
    schedule_housekeeping();
  });
}

void ControlPlane::housekeeping() {
  const auto steady_now = std::chrono::steady_clock::now();
  const auto now = std::chrono::system_clock::now();
  std::vector<std::string> expired;
  for (const auto& [id, session] : sessions_.sessions()) {
    if (session->detached() && steady_now - *session->detached_since >= settings_.session_grace) {
      expired.push_back(id);
      continue;
    }
    if (session->staged && steady_now - session->last_staged_at >= settings_.staged_ttl) {
      const std::size_t discarded = count_changes(session->active, *session->staged);
      discard_staged(*session);
      sessions_.mark_changed(id);
      events_.publish(id, "staged_expired", {{"discarded", discarded}});
    }
    if (session->drain && !session->drain_completed_announced && session->drain->completed(now)) {
      session->drain_completed_announced = true;
      sessions_.mark_changed(id);
      events_.publish(id, "drain_completed", {{"completed_at", format_time(session->drain->completes_at())}});
    }
  }
  for (const auto& id : expired) {
    const Session& session = *sessions_.find(id);
    log::info("session expired: no RECONNECT within the grace period",
              {{"session", redact_session_id(id)},
               {"service", session.service_name},
               {"instance", session.instance_name}});
    events_.publish(id, "session_expired",
                    {{"service_name", session.service_name}, {"instance_name", session.instance_name}});
    end_session(id);
  }
  state_.commit_soon();
}

}  // namespace reg::control
