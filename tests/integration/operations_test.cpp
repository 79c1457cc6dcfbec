// PROTOCOL.md §5 "Operations": drains and maintenance as the control plane
// reports them. What the proxy does with them is in proxy_routing_test.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/free_port.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"
#include "support/utc_timestamp.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;
using nlohmann::json;

using namespace std::chrono_literals;

json drain_status(Control& control, const std::string& session) {
  return reply_json(control.send("DRAIN_STATUS|" + session), "DRAIN_STATUS_OK");
}

json maint_status(Control& control, const std::string& session) {
  return reply_json(control.send("MAINT_STATUS|" + session), "MAINT_STATUS_OK");
}

}  // namespace

TEST_CASE("operations: DRAIN_START answers with the completion time") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  const auto before = std::chrono::system_clock::now();
  const auto reply = control.send("DRAIN_START|" + session + "|60s");
  const auto after = std::chrono::system_clock::now();
  REQUIRE_THAT(reply, StartsWith("DRAIN_OK|"));
  const auto completes = parse_utc_timestamp(reply.substr(9));
  CHECK(completes >= before + 59s);
  CHECK(completes <= after + 61s);

  const auto status = drain_status(control, session);
  CHECK(status["active"] == true);
  CHECK(status["completed"] == false);
  CHECK(is_utc_timestamp(status["started_at"].get<std::string>()));
  CHECK(status["completes_at"] == reply.substr(9));
  CHECK(status["duration_seconds"] == 60);
  CHECK(status["elapsed_seconds"] >= 0);
  CHECK(status["remaining_seconds"] <= 60);
  CHECK(status["traffic_percent"] <= 100);
  CHECK(status["traffic_percent"] > 0);
  CHECK(status["in_flight"] == 0);

  CHECK_THAT(control.send("DRAIN_START|" + session + "|soon"), StartsWith("ERROR|invalid duration"));
}

TEST_CASE("operations: traffic_percent falls while a drain runs") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  REQUIRE_THAT(control.send("DRAIN_START|" + session + "|4s"), StartsWith("DRAIN_OK|"));

  const double first = drain_status(control, session)["traffic_percent"].get<double>();
  CHECK(eventually([&] { return drain_status(control, session)["traffic_percent"].get<double>() < first; }));
}

TEST_CASE("operations: a finished drain stays in place until DRAIN_CANCEL") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  CHECK(control.send("DRAIN_STATUS|" + session) == "ERROR|no drain in progress");
  CHECK(control.send("DRAIN_CANCEL|" + session) == "ERROR|no drain in progress");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|drain_completed") == "SUBSCRIBE_OK");

  REQUIRE_THAT(control.send("DRAIN_START|" + session + "|1s"), StartsWith("DRAIN_OK|"));
  const auto event = reply_json(control.next_line(20s), "EVENT|drain_completed");
  CHECK(is_utc_timestamp(event["completed_at"].get<std::string>()));

  const auto status = drain_status(control, session);
  CHECK(status["active"] == true);
  CHECK(status["completed"] == true);
  CHECK(status["traffic_percent"] == 0);
  CHECK(status["remaining_seconds"] == 0);

  CHECK(control.send("DRAIN_CANCEL|" + session) == "DRAIN_OK");
  CHECK(control.send("DRAIN_STATUS|" + session) == "ERROR|no drain in progress");
  CHECK(control.send("DRAIN_CANCEL|" + session) == "ERROR|no drain in progress");
}

TEST_CASE("operations: DRAIN_CANCEL stops a running drain") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  REQUIRE_THAT(control.send("DRAIN_START|" + session + "|60s"), StartsWith("DRAIN_OK|"));

  CHECK(control.send("DRAIN_CANCEL|" + session) == "DRAIN_OK");
  CHECK(control.send("DRAIN_STATUS|" + session) == "ERROR|no drain in progress");
}

TEST_CASE("operations: MAINT_ENTER without a backend confirms at once") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  auto status = maint_status(control, session);
  CHECK(status["in_maintenance"] == json::array());
  CHECK(status["maintenance_backend"].is_null());
  CHECK(status["entered_at"].is_null());

  REQUIRE(control.send("MAINT_ENTER|" + session + "|ALL|") == "ACK");
  CHECK(control.next_line() == "MAINT_OK|ALL");
  status = maint_status(control, session);
  CHECK(status["in_maintenance"] == json::array({route}));
  CHECK(status["maintenance_backend"].is_null());
  CHECK(is_utc_timestamp(status["entered_at"].get<std::string>()));

  // Exit confirms once the route's own backend answers.
  REQUIRE(control.send("MAINT_EXIT|" + session + "|ALL") == "ACK");
  CHECK(control.next_line() == "MAINT_OK|ALL");
  CHECK(maint_status(control, session)["in_maintenance"].empty());
}

TEST_CASE("operations: MAINT_EXIT of one route leaves ALL covering the others and routes applied later") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto kept = control.add_route(session, "a.com", "/", backend.url());
  const auto leaving = control.add_route(session, "b.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(control.send("MAINT_ENTER|" + session + "|ALL") == "ACK");
  CHECK(control.next_line() == "MAINT_OK|ALL");

  REQUIRE(control.send("MAINT_EXIT|" + session + "|" + leaving) == "ACK");
  CHECK(control.next_line() == "MAINT_OK|" + leaving);
  auto status = maint_status(control, session);
  CHECK(status["all"] == true);
  CHECK(status["in_maintenance"] == json::array({kept}));

  const auto later = control.add_route(session, "c.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(maint_status(control, session)["in_maintenance"] == json::array({kept, later}));

  // Entering it again puts it back.
  REQUIRE(control.send("MAINT_ENTER|" + session + "|" + leaving) == "ACK");
  CHECK(control.next_line() == "MAINT_OK|" + leaving);
  CHECK(maint_status(control, session)["in_maintenance"] == json::array({kept, leaving, later}));
}

TEST_CASE("operations: the second phase of MAINT_ENTER carries the transaction id") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(control.send("MAINT_ENTER|" + session + "|#9|ALL") == "ACK|#9");
  CHECK(control.next_line() == "MAINT_OK|#9|ALL");
}

TEST_CASE("operations: MAINT_ENTER with a maintenance backend confirms once it answers") {
  RegdProcess regd;
  HttpBackend backend("A");
  HttpBackend maintenance_page("maint", 503);
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(control.send("MAINT_ENTER|" + session + "|" + route + "|" + maintenance_page.url()) == "ACK");
  // Maintenance is in force before it is confirmed; the page's 503 passes through.
  const auto during = http_get(regd.proxy(), "a.com", "/");
  CHECK(during.status == 503);
  CHECK(during.body == "backend:maint");
  CHECK(during.header("X-Maintenance-Mode") == "true");
  CHECK_FALSE(control.next_line_within(1500ms).has_value());

  maintenance_page.set_status(200);
  CHECK(control.next_line(20s) == "MAINT_OK|" + route);
  const auto status = maint_status(control, session);
  CHECK(status["in_maintenance"] == json::array({route}));
  CHECK(status["maintenance_backend"] == maintenance_page.url());
}

TEST_CASE("operations: an unreachable maintenance backend times out") {
  RegdProcess regd({"--maint-verify-timeout", "1s"});
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  const std::string closed = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  REQUIRE(control.send("MAINT_ENTER|" + session + "|" + route + "|" + closed) == "ACK");
  CHECK_THAT(control.next_line(20s), StartsWith("ERROR|timeout waiting"));
  CHECK(control.send("PING") == "PONG");
}

TEST_CASE("operations: maintenance targets select routes by id path or domain") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto shop = control.add_route(session, "shop.com", "/", "http://127.0.0.1:9000");
  const auto admin = control.add_route(session, "shop.com", "/admin", "http://127.0.0.1:9000");
  const auto api = control.add_route(session, "api.shop.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  CHECK(control.send("MAINT_ENTER|" + session + "|" + shop + ",r99|") == "ERROR|route not found: r99");
  CHECK(control.send("MAINT_ENTER|" + session + "|/nosuch") == "ERROR|route not found: /nosuch");
  CHECK(control.send("MAINT_ENTER|" + session + "|nosuch.example.com") ==
        "ERROR|route not found: nosuch.example.com");
  CHECK(maint_status(control, session)["in_maintenance"].empty());

  REQUIRE(control.send("MAINT_ENTER|" + session + "|/admin") == "ACK");
  CHECK(control.next_line() == "MAINT_OK|/admin");
  CHECK(maint_status(control, session)["in_maintenance"] == json::array({admin}));

  REQUIRE(control.send("MAINT_ENTER|" + session + "|api.shop.com") == "ACK");
  CHECK(control.next_line() == "MAINT_OK|api.shop.com");
  CHECK(maint_status(control, session)["in_maintenance"] == json::array({admin, api}));
}

}  // namespace reg::test
