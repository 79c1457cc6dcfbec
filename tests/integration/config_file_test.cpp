// regd.conf(5): settings from the file, flags over the file, errors that name
// the key and line, SIGHUP reload, and the systemd notifications around them.
#include <catch2/catch.hpp>

#include <signal.h>

#include <string>

#include <nlohmann/json.hpp>

#include "common/client_connection.hpp"
#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/free_port.hpp"
#include "support/notify_socket.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"
#include "support/scoped_environment.hpp"
#include "support/spawned_regd.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace std::chrono_literals;

constexpr Milliseconds notify_timeout{10'000};

// ROUTE_ADD answers until the session's route limit is reached.
std::string add_route_reply(Control& control, const std::string& session, int index) {
  return control.send("ROUTE_ADD|" + session + "|r" + std::to_string(index) + ".example.com|/|http://127.0.0.1:9|0");
}

}  // namespace

TEST_CASE("config: settings from the file take effect", "[config]") {
  TempDir dir;
  const auto file = dir.write_file("regd.conf", "# one route per session\nmax_routes_per_session = 1\n");
  RegdProcess regd({"--config", file.string()});
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  CHECK_THAT(add_route_reply(control, session, 1), StartsWith("ROUTE_OK|"));
  CHECK_THAT(add_route_reply(control, session, 2), StartsWith("ERROR|route limit reached"));
}

TEST_CASE("config: a flag overrides the file", "[config]") {
  TempDir dir;
  const auto file = dir.write_file("regd.conf", "max_routes_per_session = 1\n");
  RegdProcess regd({"--config", file.string(), "--max-routes-per-session", "2"});
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  CHECK_THAT(add_route_reply(control, session, 1), StartsWith("ROUTE_OK|"));
  CHECK_THAT(add_route_reply(control, session, 2), StartsWith("ROUTE_OK|"));
  CHECK_THAT(add_route_reply(control, session, 3), StartsWith("ERROR|route limit reached"));
}

TEST_CASE("config: --check-config accepts a good file", "[config]") {
  TempDir dir;
  const auto file = dir.write_file("regd.conf",
                                   "control = \"127.0.0.1:8181\"\n"
                                   "session_grace = \"30s\"\n"
                                   "workers = 2\n"
                                   "trusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\"]\n"
                                   "log_level = \"warn\"\n");
  const auto run = run_regd({"--check-config", "--config", file.string()});
  CHECK(run.exit_code == 0);
  CHECK(run.output == "configuration OK\n");
}

TEST_CASE("config: an unknown key or a bad value names the key and line", "[config]") {
  TempDir dir;
  struct Case {
    const char* content;
    const char* message;
  };
  const Case cases[] = {
      {"log_level = \"info\"\nsesion_grace = \"5m\"\n", ":2: unknown key 'sesion_grace'"},
      {"\nlog_level = \"info\"\nsession_grace = \"soon\"\n", ":3: session_grace: invalid duration"},
      {"workers = 0\n", ":1: workers: invalid number: 0 (expected an integer from 1 to 256)"},
      {"workers = true\n", ":1: workers: expected a string or an integer"},
      {"[proxy]\nlisten = \"0.0.0.0:80\"\n", ":1: unknown key 'proxy' (settings are flat keys, not tables)"},
      {"session_grace = \n", ":1: "},
      {"keepalive_timeout = \"0s\"\n", ":1: keepalive_timeout: invalid duration: 0s (must be above zero)"},
      {"header_timeout = 0\n", ":1: header_timeout: invalid duration: 0 (must be above zero)"},
  };
  for (const auto& [content, message] : cases) {
    INFO(content);
    const auto file = dir.write_file("regd.conf", content);
    const auto checked = run_regd({"--check-config", "--config", file.string()});
    CHECK(checked.exit_code == 1);
    CHECK_THAT(checked.output, StartsWith("regd: " + file.string()) && Contains(message));

    // A normal start stops before binding anything, with the same message.
    const auto started = run_regd({"--config", file.string(), "--control", "127.0.0.1:" + std::to_string(free_loopback_port())});
    CHECK(started.exit_code == 1);
    CHECK(started.output == checked.output);
  }
}

TEST_CASE("config: zero means at once for the session grace and the shutdown timeout", "[config]") {
  TempDir dir;
  const auto file = dir.write_file("regd.conf", "session_grace = \"0s\"\nshutdown_timeout = 0\n");
  const auto run = run_regd({"--check-config", "--config", file.string()});
  CHECK(run.exit_code == 0);
  CHECK(run.output == "configuration OK\n");
}

TEST_CASE("config: a missing --config file is an error", "[config]") {
  const auto run = run_regd({"--check-config", "--config", "/nonexistent/regd.conf"});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains("cannot read configuration file /nonexistent/regd.conf"));
}

TEST_CASE("config: SIGHUP applies the new file and tells subscribers", "[config]") {
  TempDir dir;
  const auto file = dir.write_file("regd.conf", "log_level = \"info\"\nsession_grace = \"5m\"\nworkers = 1\n");
  RegdProcess regd({"--config", file.string()});
  Control subscriber(regd.control());
  const auto watcher = subscriber.register_session("watcher", "w1", persistent_lease);
  REQUIRE(subscriber.send("SUBSCRIBE|" + watcher + "|global_config_changed") == "SUBSCRIBE_OK");

  // Held by a connection that goes away: detached, waiting out the grace period.
  std::string detached;
  {
    Control client(regd.control());
    detached = client.register_session("svc", "i1");
  }
  Control control(regd.control());
  REQUIRE(eventually([&] { return control.session_state(detached) == "detached"; }));

  dir.write_file("regd.conf", "log_level = \"warn\"\nsession_grace = \"1s\"\nworkers = 2\n");
  REQUIRE(::kill(regd.pid(), SIGHUP) == 0);

  const auto event = subscriber.next_line();
  REQUIRE_THAT(event, StartsWith("EVENT|global_config_changed|"));
  const auto body = nlohmann::json::parse(event.substr(std::string("EVENT|global_config_changed|").size()));
  CHECK(body["reason"] == "reload");
  CHECK(body["changed"] == nlohmann::json({"session_grace", "log_level"}));
  CHECK(body["restart_required"] == nlohmann::json({"workers"}));

  // The new grace period applies to the session already waiting.
  CHECK(eventually([&] { return control.session_state(detached) == "ERROR|session not found"; }));

  // At warn, the info line of a stop is no longer written; the warning is.
  CHECK(regd.stop() == 0);
  const auto log = regd.log_tail(200);
  CHECK_THAT(log, Contains("msg=\"restart regd to apply\" settings=workers"));
  CHECK_THAT(log, !Contains("msg=stopped"));
}

TEST_CASE("config: a restart-only setting set and then taken out again needs no restart", "[config]") {
  TempDir dir;
  const auto file = dir.write_file("regd.conf", "");
  RegdProcess regd({"--config", file.string()});
  Control subscriber(regd.control());
  const auto watcher = subscriber.register_session("watcher", "w1", persistent_lease);
  REQUIRE(subscriber.send("SUBSCRIBE|" + watcher + "|global_config_changed") == "SUBSCRIBE_OK");
  const auto restart_required_after_reload = [&] {
    REQUIRE(::kill(regd.pid(), SIGHUP) == 0);
    return reply_json(subscriber.next_line(), "EVENT|global_config_changed")["restart_required"];
  };

  dir.write_file("regd.conf", "access_log = \"" + (dir.path() / "access.log").string() + "\"\n");
  CHECK(restart_required_after_reload() == nlohmann::json({"access_log"}));
  dir.write_file("regd.conf", "");
  CHECK(restart_required_after_reload().empty());
  CHECK(restart_required_after_reload().empty());
}

TEST_CASE("config: a bad file on SIGHUP keeps the old settings", "[config]") {
  TempDir dir;
  const auto file = dir.write_file("regd.conf", "max_routes_per_session = 1\n");
  RegdProcess regd({"--config", file.string()});
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1", persistent_lease);
  REQUIRE(control.send("SUBSCRIBE|" + session + "|global_config_changed") == "SUBSCRIBE_OK");

  dir.write_file("regd.conf", "max_routes_per_session = 5\nlog_level = \"loud\"\n");
  REQUIRE(::kill(regd.pid(), SIGHUP) == 0);
  REQUIRE(eventually([&] { return regd.log_tail().find("configuration not reloaded") != std::string::npos; }));
  CHECK_THAT(regd.log_tail(), Contains(":2: log_level: invalid log level"));
  CHECK_FALSE(control.next_line_within(Milliseconds{300}).has_value());

  CHECK_THAT(add_route_reply(control, session, 1), StartsWith("ROUTE_OK|"));
  CHECK_THAT(add_route_reply(control, session, 2), StartsWith("ERROR|route limit reached"));
}

TEST_CASE("config: systemd hears READY=1 once the control port accepts, and STOPPING=1", "[config]") {
  NotifySocket notify;
  ScopedEnvironment environment;
  environment.set("NOTIFY_SOCKET", notify.path());
  environment.set("WATCHDOG_USEC", "200000");
  environment.set("WATCHDOG_PID", std::nullopt);
  const HostPort control{"127.0.0.1", free_loopback_port()};
  SpawnedRegd regd({"--control", control.to_string(), "--listen", "127.0.0.1:" + std::to_string(free_loopback_port()),
                    "--admin", "127.0.0.1:" + std::to_string(free_loopback_port()), "--workers", "1"});

  INFO(regd.output());
  REQUIRE(notify.wait_for("READY=1", notify_timeout));
  // No polling before: READY=1 itself says the port is bound.
  CHECK(ClientConnection::connect(control, Milliseconds{1000}).ok());
  CHECK(notify.wait_for("WATCHDOG=1", notify_timeout));

  REQUIRE(::kill(regd.pid(), SIGHUP) == 0);
  CHECK(notify.wait_for("RELOADING=1", notify_timeout));
  CHECK(notify.wait_for("READY=1", notify_timeout));

  REQUIRE(::kill(regd.pid(), SIGTERM) == 0);
  CHECK(notify.wait_for("STOPPING=1", notify_timeout));
  CHECK(regd.wait_for_exit() == 0);
}

// systemd may name an abstract socket; a watchdog meant for another process
// (WATCHDOG_PID) is not regd's to feed.
TEST_CASE("config: systemd's abstract NOTIFY_SOCKET hears regd, and another process's watchdog is left alone",
          "[config]") {
  NotifySocket notify(NotifySocket::Kind::abstract);
  ScopedEnvironment environment;
  environment.set("NOTIFY_SOCKET", notify.path());
  environment.set("WATCHDOG_USEC", "50000");
  environment.set("WATCHDOG_PID", "1");
  SpawnedRegd regd({"--control", "127.0.0.1:" + std::to_string(free_loopback_port()), "--listen",
                    "127.0.0.1:" + std::to_string(free_loopback_port()), "--admin",
                    "127.0.0.1:" + std::to_string(free_loopback_port()), "--workers", "1"});

  INFO(regd.output());
  REQUIRE(notify.wait_for("READY=1", notify_timeout));
  CHECK_FALSE(notify.wait_for("WATCHDOG=1", Milliseconds{500}));
  REQUIRE(::kill(regd.pid(), SIGTERM) == 0);
  CHECK(notify.wait_for("STOPPING=1", notify_timeout));
  CHECK(regd.wait_for_exit() == 0);
}

}  // namespace reg::test
