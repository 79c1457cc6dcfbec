// regd: wires the control plane, the proxy and the admin listener together
// and runs until SIGTERM or SIGINT; SIGHUP reloads the configuration.
#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/admin/admin_server.hpp"
#include "daemon/allocator_policy.hpp"
#include "daemon/admin/metrics_page.hpp"
#include "daemon/config/command_line.hpp"
#include "daemon/config/config_reloader.hpp"
#include "daemon/config/daemon_options.hpp"
#include "daemon/control/control_plane.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/log.hpp"
#include "daemon/net/open_file_limit.hpp"
#include "daemon/proxy/proxy_server.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/state/sqlite_state_store.hpp"

int main(int argc, char** argv) {
  using namespace reg;
  keep_freed_memory_for_reuse();
  auto command_line = config::parse_command_line(argc, argv);
  if (!command_line) {
    if (command_line.error().empty()) return 0;
    std::cerr << "regd: " << command_line.error() << "\n";
    return 2;
  }
  auto loaded = config::load_daemon_options(*command_line);
  if (!loaded) {
    std::cerr << "regd: " << loaded.error() << "\n";
    return 1;
  }
  if (command_line->check_config) {
    std::cout << "configuration OK\n";
    return 0;
  }
  config::DaemonOptions* const options = &loaded->options;  // as started; SIGHUP may change them
  std::signal(SIGPIPE, SIG_IGN);
  log::set_level(options->log_level);
  const unsigned long open_files = net::raise_open_file_limit();

  auto store = state::SqliteStateStore::open(options->state_dir);
  if (!store) {
    std::cerr << "regd: " << store.error() << "\n";
    return 1;
  }

  boost::asio::io_context control_io(1);
  proxy::RouteTablePublisher publisher;
  control::ControlPlane* plane_ref = nullptr;
  // Breaker changes happen on proxy workers; events belong to the control thread.
  options->proxy.on_circuit_change = [&control_io, &plane_ref](std::uint64_t route, proxy::CircuitTransition change) {
    boost::asio::post(control_io, [&plane_ref, route, change] { plane_ref->circuit_changed(route, change); });
  };
  proxy::ProxyServer proxy(options->proxy, publisher);
  control::ControlPlane plane(control_io, options->control, publisher, proxy.worker_count(), **store);
  plane_ref = &plane;
  // Before any listener: the first request already sees the restored routes.
  if (Status restored = plane.restore_state(); !restored) {
    std::cerr << "regd: cannot restore state from " << options->state_dir.string() << ": " << restored.error() << "\n";
    return 1;
  }
  control::ControlServer control_server(plane);
  admin::AdminServer admin(control_io, options->admin);
  admin.add_page_rendered_apart("/metrics", [&] { return admin::prepare_metrics(plane, control_server); });

  // From here on the reloader keeps the settings in force.
  config::ConfigReloader reloader(*command_line, *loaded, plane, proxy);
  ServiceNotifier notifier(control_io);
  // Before any port is bound: a SIGHUP sent as soon as regd accepts must
  // not end it (the default action).
  boost::asio::signal_set reload_signal(control_io, SIGHUP);

  // In order, stopping at the first address that cannot be bound.
  const std::function<Status()> starts[] = {[&] { return control_server.start(); }, [&] { return proxy.start(); },
                                            [&] { return admin.start(); }};
  for (const auto& start : starts) {
    if (Status started = start(); !started) {
      std::cerr << "regd: " << started.error() << "\n";
      return 1;
    }
  }
  plane.start();
  std::function<void()> wait_for_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& error, int) {
      if (error) return;
      notifier.reloading();
      reloader.reload();
      notifier.ready();
      wait_for_reload();
    });
  };
  wait_for_reload();

  boost::asio::signal_set signals(control_io, SIGTERM, SIGINT);
  boost::asio::steady_timer drain_timer(control_io);
  std::chrono::steady_clock::time_point drain_deadline;
  // Polled on the control thread, which meanwhile flushes SHUTDOWN to control
  // clients and keeps the admin port answering (/healthz: 503).
  std::function<void()> wait_for_drain = [&] {
    if (proxy.open_connections() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      admin.stop();
      proxy.stop(Milliseconds{0});
      control_io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(10));
    drain_timer.async_wait([&](const boost::system::error_code&) { wait_for_drain(); });
  };
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    log::info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    notifier.stopping();
    reload_signal.cancel();
    admin.begin_shutdown();
    control_server.shutdown();
    proxy.begin_shutdown();
    plane.stop();
    drain_deadline = std::chrono::steady_clock::now() + reloader.options().shutdown_timeout;
    // A moment for SHUTDOWN to reach every client even when nothing drains.
    drain_timer.expires_after(std::chrono::milliseconds(100));
    drain_timer.async_wait([&](const boost::system::error_code&) { wait_for_drain(); });
  });

  const config::DaemonOptions& running = reloader.options();
  log::info("ready", {{"control", running.control.listen.to_string()},
                      {"proxy", running.proxy.listen.to_string()},
                      {"admin", running.admin.to_string()},
                      {"workers", std::to_string(proxy.worker_count())},
                      {"worker_cpus", proxy::describe_worker_cpus(proxy.worker_cpus())},
                      {"state_dir", running.state_dir.string()},
                      {"auth", running.control.auth_token.empty() ? "off" : "token"},
                      {"open_files", std::to_string(open_files)}});
  notifier.ready();
  control_io.run();
  log::info("stopped");
  return 0;
}
