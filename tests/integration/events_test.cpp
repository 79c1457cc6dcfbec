// PROTOCOL.md §5 "Observability": subscriptions and the events they deliver.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "support/control.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using nlohmann::json;

using namespace std::chrono_literals;

constexpr auto event_timeout = 20s;

}  // namespace

TEST_CASE("events: SUBSCRIBE and UNSUBSCRIBE") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  for (const auto* type :
       {"backend_health_changed", "circuit_state_changed", "drain_completed", "global_config_changed",
        "cert_renewed", "session_expired", "staged_expired", "all"}) {
    INFO(type);
    CHECK(control.send("SUBSCRIBE|" + session + "|" + type) == "SUBSCRIBE_OK");
    CHECK(control.send("UNSUBSCRIBE|" + session + "|" + type) == "UNSUBSCRIBE_OK");
  }

  const auto unknown = control.send("SUBSCRIBE|" + session + "|weather");
  CHECK_THAT(unknown,
             StartsWith("ERROR|usage: SUBSCRIBE|session_id|event_type (one of: backend_health_changed, "));
  CHECK_THAT(unknown, EndsWith(", all)"));
  CHECK(unknown.find("staged_expired") != std::string::npos);
  CHECK_THAT(control.send("UNSUBSCRIBE|" + session + "|weather"), StartsWith("ERROR|usage: UNSUBSCRIBE|"));
  CHECK(control.send("SUBSCRIBE|nosuch|all") == "ERROR|session not found");
}

TEST_CASE("events: a subscription gets its own session's events only") {
  RegdProcess regd;
  Control control(regd.control());
  Control other(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto other_session = other.register_session("svc", "i2");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|all") == "SUBSCRIBE_OK");
  REQUIRE(other.send("SUBSCRIBE|" + other_session + "|drain_completed") == "SUBSCRIBE_OK");

  REQUIRE_THAT(other.send("DRAIN_START|" + other_session + "|1s"), StartsWith("DRAIN_OK|"));
  REQUIRE_THAT(other.next_line(event_timeout), StartsWith("EVENT|drain_completed|{"));
  // Had `control` been sent that event, it would precede the reply to the PING.
  CHECK(control.send("PING") == "PONG");
  CHECK_FALSE(control.next_line_within(200ms).has_value());

  REQUIRE_THAT(control.send("DRAIN_START|" + session + "|1s"), StartsWith("DRAIN_OK|"));
  CHECK_THAT(control.next_line(event_timeout), StartsWith("EVENT|drain_completed|{"));
}

TEST_CASE("events: UNSUBSCRIBE stops the events") {
  RegdProcess regd;
  Control control(regd.control());
  Control witness(regd.control());
  const auto session = control.register_session("svc", "i1");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|drain_completed") == "SUBSCRIBE_OK");
  REQUIRE(witness.send("SUBSCRIBE|" + session + "|drain_completed") == "SUBSCRIBE_OK");
  REQUIRE(control.send("UNSUBSCRIBE|" + session + "|drain_completed") == "UNSUBSCRIBE_OK");

  REQUIRE_THAT(control.send("DRAIN_START|" + session + "|1s"), StartsWith("DRAIN_OK|"));
  // Both connections would get the event in the same step; once the witness has
  // it, anything sent to `control` precedes the reply to the PING.
  REQUIRE_THAT(witness.next_line(event_timeout), StartsWith("EVENT|drain_completed|"));
  CHECK(control.send("PING") == "PONG");
  CHECK_FALSE(control.next_line_within(200ms).has_value());
}

TEST_CASE("events: a failing health check reports the backend unhealthy and then healthy again") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("HEALTH_SET|" + session + "|" + route + "|/health|200ms|100ms") == "HEALTH_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|backend_health_changed") == "SUBSCRIBE_OK");

  backend.set_status(500);
  auto event = reply_json(control.next_line(event_timeout), "EVENT|backend_health_changed");
  CHECK(event["route_id"] == route);
  CHECK(event["backend"] == backend.url());
  CHECK(event["healthy"] == false);
  CHECK(event["reason"].is_string());
  CHECK(backend.last_request()->target == "/health");

  backend.set_status(200);
  event = reply_json(control.next_line(event_timeout), "EVENT|backend_health_changed");
  CHECK(event["route_id"] == route);
  CHECK(event["healthy"] == true);
}

TEST_CASE("events: failures through the proxy open the circuit") {
  RegdProcess regd;
  HttpBackend backend("A", 500);
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CIRCUIT_BREAKER_SET|" + session + "|" + route + "|2|60s|1") == "CIRCUIT_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|circuit_state_changed") == "SUBSCRIBE_OK");

  CHECK(http_get(regd.proxy(), "a.com", "/").status == 500);
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 500);
  const auto event = reply_json(control.next_line(event_timeout), "EVENT|circuit_state_changed");
  CHECK(event == json({{"route_id", route}, {"from", "closed"}, {"to", "open"}}));

  const auto served_before = backend.request_count();
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 503);
  CHECK(backend.request_count() == served_before);
  const auto status =
      reply_json(control.send("CIRCUIT_BREAKER_STATUS|" + session + "|" + route), "CIRCUIT_STATUS_OK");
  CHECK(status["state"] == "open");

  CHECK(control.send("CIRCUIT_BREAKER_RESET|" + session + "|" + route) == "CIRCUIT_OK");
  CHECK(reply_json(control.send("CIRCUIT_BREAKER_STATUS|" + session + "|" + route),
                   "CIRCUIT_STATUS_OK")["state"] == "closed");
}

}  // namespace reg::test
