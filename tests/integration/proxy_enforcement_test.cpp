// PROTOCOL.md §5 as clients of the proxy meet it: body limits, rate-limit
// headers, a maintenance backend that fails, a circuit that recovers, and
// traffic that follows health checks. Real backends, real HTTP through regd.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "common/client_connection.hpp"
#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/free_port.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto event_timeout = 20s;

}  // namespace

TEST_CASE("proxy enforcement: a body beyond max_body gets 413 and never reaches the backend") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("OPTIONS_SET|" + session + "|" + route + "|max_body|1k") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  KeepAliveHttpClient client(regd.proxy());
  const auto within = client.send("POST", "a.com", "/upload", std::string(1024, 'x'));
  CHECK(within.status == 200);
  REQUIRE(backend.last_request());
  CHECK(backend.last_request()->header("Content-Length") == "1024");

  const auto beyond = client.send("POST", "a.com", "/upload", std::string(1025, 'x'));
  CHECK(beyond.status == 413);

  // A chunked body has no length to check up front: it is cut where it passes the limit.
  auto chunked = ClientConnection::connect(regd.proxy(), 5000ms);
  REQUIRE(chunked);
  REQUIRE(chunked->send_raw("POST /upload HTTP/1.1\r\nHost: a.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "400\r\n" + std::string(1024, 'x') + "\r\n10\r\n" + std::string(16, 'x') + "\r\n0\r\n\r\n"));
  const auto status_line = chunked->read_line(5000ms);
  REQUIRE(status_line);
  CHECK_THAT(*status_line, StartsWith("HTTP/1.1 413"));
  CHECK(backend.request_count() == 1);
}

TEST_CASE("proxy enforcement: a 429 tells the client its limit, what remains and when it resets") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("RATELIMIT_SET|" + session + "|" + route + "|2|60s") == "RATELIMIT_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  KeepAliveHttpClient client(regd.proxy());
  HttpResponse limited;
  for (int i = 0; i < 4 && limited.status != 429; ++i) limited = client.get("a.com", "/");
  REQUIRE(limited.status == 429);
  CHECK(limited.header("RateLimit-Limit") == "2");
  CHECK(limited.header("RateLimit-Remaining") == "0");
  // The whole quota is back within two windows (README, "Rate limits"); the
  // next request passes sooner.
  const int reset = std::stoi(limited.header("RateLimit-Reset"));
  const int retry_after = std::stoi(limited.header("Retry-After"));
  CHECK(retry_after >= 1);
  CHECK(retry_after <= reset);
  CHECK(reset <= 120);
  CHECK(backend.request_count() <= 2);
}

TEST_CASE("proxy enforcement: a maintenance backend that cannot be reached gives way to the built-in page") {
  RegdProcess regd({"--maint-verify-timeout", "1s"});
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  const std::string closed = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  REQUIRE(control.send("MAINT_ENTER|" + session + "|" + route + "|" + closed) == "ACK");
  const auto served_before = backend.request_count();
  const auto response = http_get(regd.proxy(), "a.com", "/");
  CHECK(response.status == 503);
  CHECK(response.header("X-Maintenance-Mode") == "true");
  CHECK(response.header("Retry-After") != "");
  CHECK(backend.request_count() == served_before);
  CHECK_THAT(control.next_line(event_timeout), StartsWith("ERROR|timeout waiting"));
}

TEST_CASE("proxy enforcement: an open circuit lets a trial through after its timeout and closes when it succeeds") {
  RegdProcess regd;
  HttpBackend backend("A", 500);
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CIRCUIT_BREAKER_SET|" + session + "|" + route + "|2|1s|1") == "CIRCUIT_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|circuit_state_changed") == "SUBSCRIBE_OK");

  CHECK(http_get(regd.proxy(), "a.com", "/").status == 500);
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 500);
  CHECK(reply_json(control.next_line(event_timeout), "EVENT|circuit_state_changed") ==
        json({{"route_id", route}, {"from", "closed"}, {"to", "open"}}));
  const auto served_while_closed = backend.request_count();
  const auto refused = http_get(regd.proxy(), "a.com", "/");
  CHECK(refused.status == 503);
  CHECK(refused.header("Retry-After") != "");
  CHECK(refused.body == "circuit open: the backend is failing\n");
  CHECK(backend.request_count() == served_while_closed);
  CHECK(eventually([&] {
    return reply_json(control.send("STATS_GET|" + session + "|" + route), "STATS_OK")["circuit_rejected"] == 1;
  }));

  backend.set_status(200);
  std::this_thread::sleep_for(1200ms);
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 200);
  CHECK(backend.request_count() == served_while_closed + 1);
  CHECK(reply_json(control.next_line(event_timeout), "EVENT|circuit_state_changed") ==
        json({{"route_id", route}, {"from", "open"}, {"to", "half_open"}}));
  CHECK(reply_json(control.next_line(event_timeout), "EVENT|circuit_state_changed") ==
        json({{"route_id", route}, {"from", "half_open"}, {"to", "closed"}}));
  CHECK(reply_json(control.send("CIRCUIT_BREAKER_STATUS|" + session + "|" + route),
                   "CIRCUIT_STATUS_OK")["state"] == "closed");
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 200);
}

TEST_CASE("proxy enforcement: traffic leaves a backend that fails its health checks and returns when it recovers") {
  RegdProcess regd;
  HttpBackend a("A");
  HttpBackend b("B");
  Control control(regd.control());
  const auto failing = control.register_session("web", "i1");
  const auto steady = control.register_session("web", "i2");
  const auto failing_route = control.add_route(failing, "a.com", "/", a.url());
  const auto steady_route = control.add_route(steady, "a.com", "/", b.url());
  REQUIRE(control.send("HEALTH_SET|" + failing + "|" + failing_route + "|/health|200ms|100ms") == "HEALTH_OK");
  REQUIRE(control.send("HEALTH_SET|" + steady + "|" + steady_route + "|/health|200ms|100ms") == "HEALTH_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + failing) == "OK");
  REQUIRE(control.send("CONFIG_APPLY|" + steady) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + failing + "|backend_health_changed") == "SUBSCRIBE_OK");
  CHECK(spread(regd.proxy(), "a.com", 10) == std::map<std::string, int>{{"backend:A", 5}, {"backend:B", 5}});

  a.set_status(500);
  const auto down = reply_json(control.next_line(event_timeout), "EVENT|backend_health_changed");
  CHECK(down["backend"] == a.url());
  CHECK(down["healthy"] == false);
  CHECK(down["reason"] == "status 500");
  CHECK(spread(regd.proxy(), "a.com", 10) == std::map<std::string, int>{{"backend:B", 10}});

  a.set_status(200);
  const auto up = reply_json(control.next_line(event_timeout), "EVENT|backend_health_changed");
  CHECK(up["backend"] == a.url());
  CHECK(up["healthy"] == true);
  CHECK(spread(regd.proxy(), "a.com", 10)["backend:A"] > 0);
}

}  // namespace reg::test
