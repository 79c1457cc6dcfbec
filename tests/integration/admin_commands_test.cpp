// PROTOCOL.md §5 "Observability" (stats, backend tests), §6 and §7: the
// commands operators use, authentication, shutdown and the admin port.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <set>
#include <string>

#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/free_port.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;

using nlohmann::json;

// Every command of PROTOCOL.md §5 and §6, by section.
// clang-format off
const std::set<std::string> every_command = {
    "REGISTER", "RECONNECT", "PING", "SESSION_INFO", "CLIENT_SHUTDOWN",
    "ROUTE_ADD", "ROUTE_ADD_BULK", "ROUTE_UPDATE", "ROUTE_REMOVE", "ROUTE_LIST",
    "HEADERS_SET", "HEADERS_REMOVE", "OPTIONS_SET", "OPTIONS_REMOVE",
    "HEALTH_SET", "RATELIMIT_SET", "CIRCUIT_BREAKER_SET", "CIRCUIT_BREAKER_STATUS", "CIRCUIT_BREAKER_RESET",
    "CONFIG_VALIDATE", "CONFIG_APPLY", "CONFIG_ROLLBACK", "CONFIG_DIFF", "CONFIG_APPLY_PARTIAL",
    "DRAIN_START", "DRAIN_STATUS", "DRAIN_CANCEL", "MAINT_ENTER", "MAINT_EXIT", "MAINT_STATUS",
    "STATS_GET", "BACKEND_TEST", "SUBSCRIBE", "UNSUBSCRIBE",
    "VERSION", "AUTH", "SESSION_LIST", "ROUTE_TABLE"};
// clang-format on

}  // namespace

TEST_CASE("admin: VERSION names the protocol and every command") {
  RegdProcess regd;
  Control control(regd.control());

  const auto version = reply_json(control.send("VERSION"), "VERSION_OK");
  CHECK(version["protocol"] == 2);
  CHECK_THAT(version["server"].get<std::string>(), StartsWith("regd "));
  std::set<std::string> listed;
  for (const auto& command : version["commands"]) listed.insert(command.get<std::string>());
  CHECK(listed == every_command);
}

TEST_CASE("admin: a token makes AUTH the first command") {
  TempDir secrets;
  const auto token_file = secrets.write_file("token", "s3cret-token\n");
  RegdProcess regd({"--auth-token-file", token_file.string()});

  Control control(regd.control());
  CHECK(control.send("PING") == "ERROR|authentication required");
  CHECK(control.send("REGISTER|svc|i1|9000|{}") == "ERROR|authentication required");
  CHECK(control.send("AUTH|wrong") == "ERROR|authentication failed");
  CHECK(control.send("AUTH|s3cret-token") == "OK");
  CHECK(control.send("PING") == "PONG");
  const auto session = control.register_session("svc", "i1", persistent_lease);

  // Every connection authenticates on its own.
  Control script(regd.control());
  CHECK(script.send("SESSION_INFO|" + session) == "ERROR|authentication required");
  CHECK(script.send("AUTH|s3cret-token") == "OK");
  CHECK_THAT(script.send("SESSION_INFO|" + session), StartsWith("SESSION_OK|"));
}

TEST_CASE("admin: three failed AUTH close the connection") {
  TempDir secrets;
  const auto token_file = secrets.write_file("token", "s3cret-token\n");
  RegdProcess regd({"--auth-token-file", token_file.string()});

  Control control(regd.control());
  CHECK(control.send("AUTH|guess1") == "ERROR|authentication failed");
  CHECK(control.send("AUTH|guess2") == "ERROR|authentication failed");
  control.send_raw("AUTH|guess3\n");
  CHECK(control.closed_by_server());

  // Once authenticated, a wrong token is still wrong, and guesses still count.
  Control next(regd.control());
  CHECK(next.send("AUTH|s3cret-token") == "OK");
  CHECK(next.send("AUTH|guess1") == "ERROR|authentication failed");
  CHECK(next.send("AUTH|s3cret-token") == "OK");
  CHECK(next.send("AUTH|guess2") == "ERROR|authentication failed");
  next.send_raw("AUTH|guess3\n");
  CHECK(next.closed_by_server());
}

TEST_CASE("admin: SESSION_LIST shows every session") {
  RegdProcess regd;
  Control control(regd.control());
  const auto first = control.register_session("billing", "i1");
  const auto second = control.register_session("search", "i2", persistent_lease);

  const auto sessions = reply_json(control.send("SESSION_LIST"), "SESSION_LIST_OK");
  REQUIRE(sessions.size() == 2);
  std::set<std::string> ids;
  for (const auto& session : sessions) {
    ids.insert(session["session_id"].get<std::string>());
    for (const auto* field :
         {"service_name", "instance_name", "maintenance_port", "lease", "state", "connected_at",
          "uptime_seconds", "last_activity", "routes_active", "routes_staged", "last_apply", "metadata"}) {
      INFO(field);
      CHECK(session.contains(field));
    }
  }
  CHECK(ids == std::set<std::string>{first, second});
  CHECK_THAT(control.send("SESSION_LIST|extra"), StartsWith("ERROR|usage: SESSION_LIST"));
}

TEST_CASE("admin: ROUTE_TABLE shows the live pools in match order") {
  RegdProcess regd;
  Control control(regd.control());
  const auto first = control.register_session("web", "i1");
  const auto second = control.register_session("web", "i2");
  control.add_route(first, "b.com", "/", "http://127.0.0.1:9003");
  const auto api = control.add_route(first, "a.com", "/api", "http://127.0.0.1:9001");
  const auto root_first = control.add_route(first, "a.com", "/", "http://127.0.0.1:9000");
  const auto root_second = control.add_route(second, "a.com", "/", "http://127.0.0.1:9002", 5);
  control.add_route(first, "c.com", "/", "http://127.0.0.1:9004", -3);
  REQUIRE(control.send("CONFIG_APPLY|" + first) == "OK");
  REQUIRE(control.send("CONFIG_APPLY|" + second) == "OK");
  control.add_route(first, "staged.com", "/", "http://127.0.0.1:9000");

  const auto text = control.send("ROUTE_TABLE");
  CHECK(text.find(first) == std::string::npos);
  CHECK(text.find(second) == std::string::npos);
  const auto table = reply_json(text, "ROUTE_TABLE_OK");
  REQUIRE(table.size() == 4);
  CHECK(table[0]["host"] == "a.com");
  CHECK(table[0]["path"] == "/");  // priority 5 (from i2) matches first
  CHECK(table[0]["priority"] == 5);
  CHECK(table[1]["host"] == "a.com");
  CHECK(table[1]["path"] == "/api");
  CHECK(table[2]["host"] == "b.com");
  CHECK(table[3]["host"] == "c.com");
  CHECK(table[3]["priority"] == -3);  // a pool's priority is its routes' highest, below 0 too

  const auto& pool = table[0]["backends"];
  REQUIRE(pool.size() == 2);
  std::set<std::string> route_ids;
  for (const auto& backend : pool) route_ids.insert(backend["route_id"].get<std::string>());
  CHECK(route_ids == std::set<std::string>{root_first, root_second});
  const auto& entry = pool[0]["route_id"] == root_first ? pool[0] : pool[1];
  CHECK(entry == json({{"route_id", root_first},
                       {"backend", "http://127.0.0.1:9000"},
                       {"service_name", "web"},
                       {"instance_name", "i1"},
                       {"weight", 100},
                       {"healthy", true},
                       {"circuit", "closed"},
                       {"maintenance", false},
                       {"draining", false},
                       {"traffic_percent", 100},
                       {"detached", false}}));
  CHECK(table[1]["backends"][0]["route_id"] == api);
}

TEST_CASE("admin: BACKEND_TEST reports any answer and no answer") {
  RegdProcess regd;
  HttpBackend healthy("A");
  HttpBackend failing("B", 500);
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  const auto ok =
      reply_json(control.send("BACKEND_TEST|" + session + "|" + healthy.url() + "/status"), "BACKEND_OK");
  CHECK(ok["reachable"] == true);
  CHECK(ok["status_code"] == 200);
  CHECK(ok["response_time_ms"].is_number());
  CHECK(ok.contains("tls_valid"));
  REQUIRE(healthy.last_request());
  CHECK(healthy.last_request()->method == "GET");
  CHECK(healthy.last_request()->target == "/status");

  CHECK(reply_json(control.send("BACKEND_TEST|" + session + "|" + failing.url()),
                   "BACKEND_OK")["status_code"] == 500);

  const std::string closed = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  const auto fail = reply_json(control.send("BACKEND_TEST|" + session + "|" + closed), "BACKEND_FAIL");
  CHECK(fail["reachable"] == false);
  CHECK(fail["error"].is_string());

  CHECK_THAT(control.send("BACKEND_TEST|" + session + "|ftp://x"), StartsWith("ERROR|invalid backend url"));
  CHECK(control.send("ROUTE_LIST|" + session) == "ROUTE_LIST_OK|[]");
}

TEST_CASE("admin: STATS_GET counts the requests sent through the proxy") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  const auto other = control.add_route(session, "b.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  KeepAliveHttpClient client(regd.proxy());
  for (int i = 0; i < 5; ++i) REQUIRE(client.get("a.com", "/").status == 200);

  const auto stats_line = "STATS_GET|" + session + "|" + route;
  CHECK(eventually([&] { return reply_json(control.send(stats_line), "STATS_OK")["requests"] == 5; }));
  const auto stats = reply_json(control.send(stats_line), "STATS_OK");
  CHECK(stats["route_id"] == route);
  CHECK(stats["status_codes"] == json({{"200", 5}}));
  CHECK(stats["errors"] == 0);
  CHECK(stats["bytes_sent"] > 0);
  CHECK(stats["in_flight"] == 0);
  for (const auto* field :
       {"avg_latency_ms", "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "bytes_received",
        "rate_limited", "circuit_rejected", "maintenance_hits", "drain_rejected"}) {
    INFO(field);
    CHECK(stats.contains(field));
  }

  const auto all = reply_json(control.send("STATS_GET|" + session), "STATS_OK");
  REQUIRE(all.is_array());
  REQUIRE(all.size() == 2);
  for (const auto& entry : all) CHECK(entry["requests"] == (entry["route_id"] == other ? 0 : 5));
  CHECK(reply_json(control.send("STATS_GET|" + session + "|ALL"), "STATS_OK").size() == 2);
  CHECK(control.send("STATS_GET|" + session + "|r99") == "ERROR|route not found: r99");
}

TEST_CASE("admin: SIGTERM sends SHUTDOWN on every control connection") {
  RegdProcess regd;
  Control idle(regd.control());
  Control holder(regd.control());
  Control subscriber(regd.control());
  const auto session = holder.register_session("svc", "i1");
  REQUIRE(subscriber.send("SUBSCRIBE|" + session + "|all") == "SUBSCRIBE_OK");
  REQUIRE(idle.send("PING") == "PONG");

  REQUIRE(::kill(regd.pid(), SIGTERM) == 0);
  CHECK(idle.next_line() == "SHUTDOWN");
  CHECK(holder.next_line() == "SHUTDOWN");
  CHECK(subscriber.next_line() == "SHUTDOWN");
  const int status = regd.stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("admin: GET /healthz on the admin port answers 200") {
  RegdProcess regd;

  const auto response = http_get(regd.admin(), "localhost", "/healthz");
  INFO(response.summary());
  CHECK(response.status == 200);
  CHECK(response.body == "ok\n");
}

}  // namespace reg::test
