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
// A drain ends by the wall clock, which may be stepped while its deadline
// waits on the steady clock: a draining session is looked at again at
// least this often.
constexpr std::chrono::seconds kDrainRecheck{1};

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
  track_all_deadlines();
  routes_changed();
  publish_if_changed();
  return success();
}

void ControlPlane::start() { schedule_housekeeping(); }

void ControlPlane::update_settings(ControlSettings settings) {
  settings.listen = settings_.listen;
  const bool deadlines_moved =
      settings.session_grace != settings_.session_grace || settings.staged_ttl != settings_.staged_ttl;
  settings_ = std::move(settings);
  if (deadlines_moved) track_all_deadlines();
}

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

void ControlPlane::session_changed(const std::string& id) {
  sessions_.mark_changed(id);
  if (const Session* session = sessions_.find(id))
    track_deadline(*session, std::chrono::steady_clock::now(), std::chrono::system_clock::now());
}

void ControlPlane::connection_closed(ConnectionId connection) {
  events_.drop_connection(connection);
  const auto now = std::chrono::steady_clock::now();
  const auto system_now = std::chrono::system_clock::now();
  for (Session* session : sessions_.release_held(connection)) {
    log::debug("session detached: its connection closed", {{"session", redact_session_id(session->id)}});
    session->detached_since = now;
    track_deadline(*session, now, system_now);
    if (!session->active.routes.empty()) routes_changed();
  }
  publish_if_changed();
}

void ControlPlane::end_session(const std::string& id) {
  Session* session = sessions_.find(id);
  if (session == nullptr) return;
  if (!session->active.routes.empty()) routes_changed();
  events_.drop_session(id);
  deadlines_.erase(id);
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

void ControlPlane::track_deadline(const Session& session, SteadyTime steady_now, SystemTime now) {
  std::optional<SteadyTime> deadline;
  const auto consider = [&deadline](SteadyTime candidate) {
    if (!deadline || candidate < *deadline) deadline = candidate;
  };
  if (session.detached()) consider(*session.detached_since + settings_.session_grace);
  if (session.staged) consider(session.last_staged_at + settings_.staged_ttl);
  if (session.drain && !session.drain_completed_announced) {
    const auto remaining = std::max(session.drain->completes_at() - now, SystemTime::duration::zero());
    consider(steady_now + std::min<SteadyTime::duration>(
                              std::chrono::duration_cast<SteadyTime::duration>(remaining), kDrainRecheck));
  }
  if (deadline) deadlines_.set(session.id, *deadline);
  else deadlines_.erase(session.id);
}

void ControlPlane::track_all_deadlines() {
  const auto steady_now = std::chrono::steady_clock::now();
  const auto now = std::chrono::system_clock::now();
  for (const auto& [id, session] : sessions_.sessions()) track_deadline(*session, steady_now, now);
}

void ControlPlane::housekeeping() {
  const auto steady_now = std::chrono::steady_clock::now();
  const auto now = std::chrono::system_clock::now();
  for (const auto& id : deadlines_.take_due(steady_now)) {
    Session* session = sessions_.find(id);
    if (session == nullptr) continue;
    if (session->detached() && steady_now - *session->detached_since >= settings_.session_grace) {
      log::info("session expired: no RECONNECT within the grace period",
                {{"session", redact_session_id(id)},
                 {"service", session->service_name},
                 {"instance", session->instance_name}});
      events_.publish(id, "session_expired",
                      {{"service_name", session->service_name}, {"instance_name", session->instance_name}});
      end_session(id);
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
    track_deadline(*session, steady_now, now);
  }
  state_.commit_soon();
}

}  // namespace reg::control
