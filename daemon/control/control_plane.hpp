#pragma once
// The control plane's state and the operations several commands share. Lives
// on the control thread: every change happens there, in order, so nothing in
// here takes a lock.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/control/control_settings.hpp"
#include "daemon/control/event_bus.hpp"
#include "daemon/control/health_monitor.hpp"
#include "daemon/control/route_runtimes.hpp"
#include "daemon/control/session_deadlines.hpp"
#include "daemon/control/session_registry.hpp"
#include "daemon/control/state_sync.hpp"
#include "daemon/proxy/route_table_publisher.hpp"

namespace reg::control {

class ControlPlane {
 public:
  ControlPlane(boost::asio::io_context& io, ControlSettings settings, proxy::RouteTablePublisher& publisher,
               unsigned proxy_workers, state::StateStore& store);

  // Brings back the sessions of the state store and publishes their active
  // routes: traffic flows before any client reconnects. At start, before
  // the listeners.
  Status restore_state();
  // Starts the timer that expires leases and staged changes and announces
  // finished drains.
  void start();
  // Also makes every change durable and sends the replies waiting for it.
  void stop();

  boost::asio::io_context& io() { return io_; }
  const ControlSettings& settings() const { return settings_; }
  // SIGHUP: timeouts and limits change at once; the listen address does not.
  void update_settings(ControlSettings settings);
  SessionRegistry& sessions() { return sessions_; }
  StateSync& state() { return state_; }
  EventBus& events() { return events_; }
  RouteRuntimes& runtimes() { return runtimes_; }
  const HealthMonitor& health() const { return health_; }
  // The table the proxy serves, including changes made earlier in this batch.
  const proxy::RouteTable& route_table() { return *shared_route_table(); }
  // The same, for a reader on another thread: the table never changes.
  std::shared_ptr<const proxy::RouteTable> shared_route_table() {
    publish_if_changed();
    return current_table_;
  }

  // Something the proxy serves changed; the next publish_if_changed()
  // builds and publishes a new snapshot. Commands call it before replying,
  // so a client that got OK sees the change.
  void routes_changed() { routes_dirty_ = true; }
  void publish_if_changed();

  // A breaker changed state on a proxy worker; called on the control thread.
  void circuit_changed(std::uint64_t route, proxy::CircuitTransition transition);

  // A command changed the session `id` (or ended it): the change goes to
  // the state store, and housekeeping looks at the session when it is due.
  void session_changed(const std::string& id);

  // A connection went away: the sessions it held are detached, its
  // subscriptions end.
  void connection_closed(ConnectionId connection);

  // Ends a session at once: its routes leave the proxy, its subscriptions go.
  void end_session(const std::string& id);

  // Discards staged changes (rollback and expiry).
  void discard_staged(Session& session);

  std::uint64_t applies() const { return applies_; }
  void count_apply() { ++applies_; }
  // Events a slow subscriber lost off its bounded queue, over all connections.
  std::uint64_t events_dropped() const { return events_dropped_; }
  void count_dropped_event() { ++events_dropped_; }

 private:
  void schedule_housekeeping();
  void housekeeping();
  // Puts the session in deadlines_ at the next moment housekeeping has
  // something to check on it, or takes it out.
  void track_deadline(const Session& session, SteadyTime steady_now, SystemTime now);
  void track_all_deadlines();
  void health_changed(const HealthChange& change);
  // The session whose active configuration has `route`, if any.
  Session* owner_of(std::uint64_t route);
  std::vector<HealthCheckSpec> health_checks() const;

  boost::asio::io_context& io_;
  ControlSettings settings_;
  proxy::RouteTablePublisher& publisher_;
  SessionRegistry sessions_;
  StateSync state_;
  EventBus events_;
  RouteRuntimes runtimes_;
  HealthMonitor health_;
  SessionDeadlines deadlines_;
  std::shared_ptr<const proxy::RouteTable> current_table_;
  bool routes_dirty_ = false;
  std::uint64_t applies_ = 0;
  std::uint64_t events_dropped_ = 0;
  boost::asio::steady_timer housekeeping_timer_;
};

}  // namespace reg::control
