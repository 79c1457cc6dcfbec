// PROTOCOL.md §5: headers, options, checks and the configuration commands that
// validate, diff, apply, roll back and expire staged changes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

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

json config_diff(Control& control, const std::string& session) {
  return reply_json(control.send("CONFIG_DIFF|" + session), "DIFF_OK");
}

// Whether the diff's `changes` hold exactly this change, given as JSON text.
bool has_change(const json& diff, std::string_view change) {
  const auto& changes = diff["changes"];
  return std::find(changes.begin(), changes.end(), json::parse(change)) != changes.end();
}

json summary(int added, int removed, int modified) {
  return {{"added", added}, {"removed", removed}, {"modified", modified}};
}

}  // namespace

TEST_CASE("staging: HEADERS_SET and HEADERS_REMOVE") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");

  CHECK(control.send("HEADERS_SET|" + session + "|ALL|X-Frame-Options|DENY") == "HEADERS_OK");
  CHECK(control.send("HEADERS_SET|" + session + "|" + route + "|X-Team|payments") == "HEADERS_OK");
  CHECK_THAT(control.send("HEADERS_SET|" + session + "|ALL|Bad Header|v"),
             StartsWith("ERROR|invalid header name"));
  CHECK_THAT(control.send("HEADERS_SET|" + session + "|ALL|X-(A)|v"),
             StartsWith("ERROR|invalid header name"));
  control.send_raw("HEADERS_SET|" + session + "|ALL|X-Split|a\rb\n");
  CHECK_THAT(control.next_line(), StartsWith("ERROR|invalid "));
  CHECK(control.send("HEADERS_SET|" + session + "|r99|X-Team|v") == "ERROR|route not found: r99");
  CHECK(config_diff(control, session)["headers"] == summary(2, 0, 0));

  CHECK(control.send("HEADERS_REMOVE|" + session + "|" + route + "|X-Team") == "HEADERS_OK");
  CHECK(config_diff(control, session)["headers"] == summary(1, 0, 0));
}

TEST_CASE("staging: OPTIONS_SET checks keys and value types") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  const std::string set = "OPTIONS_SET|" + session + "|" + route + "|";

  for (const std::string good :
       {"timeout|200ms", "connect_timeout|1s", "websocket|true", "strip_prefix|yes", "preserve_host|off",
        "weight|1", "weight|1000", "retries|2", "max_body|10m", "health_rise|2", "health_fall|3",
        "health_status|200-299", "slow_start|30s"}) {
    INFO(good);
    CHECK(control.send(set + good) == "OPTIONS_OK");
  }
  CHECK(control.send("OPTIONS_SET|" + session + "|ALL|timeout|5s") == "OPTIONS_OK");

  CHECK(control.send(set + "timeout|abc") == "ERROR|invalid option timeout: expected a duration");
  CHECK(control.send(set + "timeout|0s") == "ERROR|invalid option timeout: expected a duration above zero");
  CHECK(control.send(set + "slow_start|0") == "OPTIONS_OK");
  for (const std::string bad :
       {"websocket|maybe", "weight|0", "weight|1001", "weight|heavy", "max_body|lots", "health_status|ok"}) {
    INFO(bad);
    CHECK_THAT(control.send(set + bad), StartsWith("ERROR|invalid option " + bad.substr(0, bad.find('|'))));
  }
  CHECK_THAT(control.send(set + "frobnicate|1"), StartsWith("ERROR|invalid option"));
  CHECK(control.send("OPTIONS_SET|" + session + "|r99|timeout|1s") == "ERROR|route not found: r99");

  CHECK(control.send("OPTIONS_REMOVE|" + session + "|" + route + "|timeout") == "OPTIONS_OK");
}

TEST_CASE("staging: health rate limit and circuit breaker settings") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  CHECK(control.send("HEALTH_SET|" + session + "|" + route + "|/health|10s|2s") == "HEALTH_OK");
  CHECK_THAT(control.send("HEALTH_SET|" + session + "|" + route + "|health|10s|2s"),
             StartsWith("ERROR|invalid path"));
  CHECK_THAT(control.send("HEALTH_SET|" + session + "|" + route + "|/health|soon|2s"),
             StartsWith("ERROR|invalid duration"));
  CHECK(control.send("HEALTH_SET|" + session + "|r99|/health|10s|2s") == "ERROR|route not found: r99");

  CHECK(control.send("RATELIMIT_SET|" + session + "|ALL|100|1m") == "RATELIMIT_OK");
  CHECK(control.send("RATELIMIT_SET|" + session + "|" + route + "|10|1s") == "RATELIMIT_OK");
  CHECK_THAT(control.send("RATELIMIT_SET|" + session + "|" + route + "|lots|1s"),
             StartsWith("ERROR|invalid "));
  CHECK_THAT(control.send("RATELIMIT_SET|" + session + "|" + route + "|10|often"),
             StartsWith("ERROR|invalid duration"));

  CHECK(control.send("CIRCUIT_BREAKER_SET|" + session + "|" + route + "|5|30s|1") == "CIRCUIT_OK");
  CHECK(control.send("CIRCUIT_BREAKER_SET|" + session + "|ALL|3|10s|2") == "CIRCUIT_OK");
  CHECK_THAT(control.send("CIRCUIT_BREAKER_SET|" + session + "|" + route + "|5|later|1"),
             StartsWith("ERROR|invalid duration"));
  CHECK_THAT(control.send("CIRCUIT_BREAKER_SET|" + session + "|" + route + "|many|30s|1"),
             StartsWith("ERROR|invalid "));

  const auto status =
      reply_json(control.send("CIRCUIT_BREAKER_STATUS|" + session + "|" + route), "CIRCUIT_STATUS_OK");
  CHECK(status["route_id"] == route);
  CHECK(status["state"] == "closed");
  CHECK(status["failures"] == 0);
  for (const auto* field :
       {"successes", "last_failure", "next_attempt", "healthy", "in_maintenance", "draining"}) {
    INFO(field);
    CHECK(status.contains(field));
  }
  CHECK(control.send("CIRCUIT_BREAKER_RESET|" + session + "|" + route) == "CIRCUIT_OK");
  CHECK(control.send("CIRCUIT_BREAKER_STATUS|" + session + "|r99") == "ERROR|route not found: r99");
}

TEST_CASE("staging: CONFIG_VALIDATE finds settings on a route pending removal") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  REQUIRE(control.add_route(session, "a.com", "/", "http://127.0.0.1:9000") == "r1");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  const auto table_before = control.send("ROUTE_TABLE");
  CHECK(control.send("CONFIG_VALIDATE|" + session) == "OK");

  const std::pair<std::string, std::string> settings[] = {
      {"HEALTH_SET|" + session + "|r1|/health|10s|2s", "ERROR|health r1: route pending removal"},
      {"RATELIMIT_SET|" + session + "|r1|10|1s", "ERROR|ratelimit r1: route pending removal"},
      {"CIRCUIT_BREAKER_SET|" + session + "|r1|5|30s|1", "ERROR|circuit r1: route pending removal"},
  };
  for (const auto& [setting, problem] : settings) {
    INFO(setting);
    REQUIRE(control.send("ROUTE_REMOVE|" + session + "|r1") == "ROUTE_OK");
    REQUIRE_THAT(control.send(setting), EndsWith("_OK"));
    CHECK(control.send("CONFIG_VALIDATE|" + session) == problem);
    CHECK(control.send("CONFIG_APPLY|" + session) == problem);
    CHECK(control.send("ROUTE_TABLE") == table_before);
    CHECK(reply_json(control.send("ROUTE_LIST|" + session), "ROUTE_LIST_OK")[0]["status"] ==
          "pending_removal");
    REQUIRE(control.send("CONFIG_ROLLBACK|" + session) == "OK");
  }
  CHECK(control.send("CONFIG_VALIDATE|" + session) == "OK");
}

TEST_CASE("staging: CONFIG_DIFF lists every staged change in full") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  REQUIRE(control.add_route(session, "a.com", "/", "http://127.0.0.1:9000") == "r1");
  REQUIRE(control.add_route(session, "b.com", "/", "http://127.0.0.1:9001") == "r2");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(config_diff(control, session) == json::parse(R"({"routes":{"added":[],"removed":[],"modified":[]},
      "headers":{"added":0,"removed":0,"modified":0}, "options":{"added":0,"removed":0,"modified":0},
      "health":{"added":0,"removed":0,"modified":0}, "ratelimit":{"added":0,"removed":0,"modified":0},
      "circuit":{"added":0,"removed":0,"modified":0}, "changes":[]})"));

  REQUIRE(control.add_route(session, "c.com", "/", "http://127.0.0.1:9002") == "r3");
  REQUIRE(control.send("ROUTE_UPDATE|" + session + "|r2|priority|5") == "ROUTE_OK");
  REQUIRE(control.send("ROUTE_REMOVE|" + session + "|r1") == "ROUTE_OK");
  REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-A|v") == "HEADERS_OK");
  REQUIRE(control.send("OPTIONS_SET|" + session + "|r2|timeout|5s") == "OPTIONS_OK");
  REQUIRE(control.send("HEALTH_SET|" + session + "|r2|/health|10s|2s") == "HEALTH_OK");
  REQUIRE(control.send("RATELIMIT_SET|" + session + "|ALL|100|10s") == "RATELIMIT_OK");
  REQUIRE(control.send("CIRCUIT_BREAKER_SET|" + session + "|r2|5|30s|1") == "CIRCUIT_OK");

  auto diff = config_diff(control, session);
  INFO(diff.dump());
  CHECK(diff["routes"] == json::parse(R"({"added":["r3"],"removed":["r1"],"modified":["r2"]})"));
  for (const auto* kind : {"headers", "options", "health", "ratelimit", "circuit"}) {
    CHECK(diff[kind] == summary(1, 0, 0));
  }
  const char* expected_changes[] = {
      R"({"kind":"route","op":"add","id":"r3","before":null,
          "after":{"route_id":"r3","domains":["c.com"],"path":"/","backend":"http://127.0.0.1:9002","priority":0}})",
      R"({"kind":"route","op":"modify","id":"r2",
          "before":{"route_id":"r2","domains":["b.com"],"path":"/","backend":"http://127.0.0.1:9001","priority":0},
          "after":{"route_id":"r2","domains":["b.com"],"path":"/","backend":"http://127.0.0.1:9001","priority":5}})",
      R"({"kind":"route","op":"remove","id":"r1",
          "before":{"route_id":"r1","domains":["a.com"],"path":"/","backend":"http://127.0.0.1:9000","priority":0},
          "after":null})",
      R"({"kind":"header","op":"add","target":"ALL","name":"X-A","before":null,"after":"v"})",
      R"({"kind":"option","op":"add","target":"r2","key":"timeout","before":null,"after":"5s"})",
      R"({"kind":"health","op":"add","target":"r2","before":null,
          "after":{"path":"/health","interval":"10s","timeout":"2s"}})",
      R"({"kind":"ratelimit","op":"add","target":"ALL","before":null,"after":{"requests":100,"window":"10s"}})",
      R"({"kind":"circuit","op":"add","target":"r2","before":null,
          "after":{"threshold":5,"timeout":"30s","half_open_requests":1}})",
  };
  CHECK(diff["changes"].size() == std::size(expected_changes));
  for (const auto* change : expected_changes) {
    INFO(change);
    CHECK(has_change(diff, change));
  }

  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(config_diff(control, session)["changes"].empty());

  REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-A|w") == "HEADERS_OK");
  REQUIRE(control.send("OPTIONS_REMOVE|" + session + "|r2|timeout") == "OPTIONS_OK");
  diff = config_diff(control, session);
  CHECK(diff["headers"] == summary(0, 0, 1));
  CHECK(diff["options"] == summary(0, 1, 0));
  CHECK(has_change(
      diff, R"({"kind":"header","op":"modify","target":"ALL","name":"X-A","before":"v","after":"w"})"));
  CHECK(has_change(
      diff, R"({"kind":"option","op":"remove","target":"r2","key":"timeout","before":"5s","after":null})"));
}

TEST_CASE("staging: CONFIG_ROLLBACK discards staged changes and keeps the active ones") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto active = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  const auto list_before = control.send("ROUTE_LIST|" + session);

  control.add_route(session, "b.com", "/", "http://127.0.0.1:9001");
  REQUIRE(control.send("ROUTE_UPDATE|" + session + "|" + active + "|priority|9") == "ROUTE_OK");
  REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-A|v") == "HEADERS_OK");
  CHECK(control.send("CONFIG_ROLLBACK|" + session) == "OK");

  CHECK(control.send("ROUTE_LIST|" + session) == list_before);
  CHECK(config_diff(control, session)["changes"].empty());
  REQUIRE(control.send("ROUTE_REMOVE|" + session + "|" + active) == "ROUTE_OK");
  CHECK(control.send("CONFIG_ROLLBACK|" + session) == "OK");
  CHECK(control.send("ROUTE_LIST|" + session) == list_before);
}

TEST_CASE("staging: CONFIG_APPLY_PARTIAL applies only the named kinds") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-Team|blue") == "HEADERS_OK");

  CHECK_THAT(control.send("CONFIG_APPLY_PARTIAL|" + session + "|bogus"), StartsWith("ERROR|invalid scope"));
  CHECK_THAT(control.send("CONFIG_APPLY_PARTIAL|" + session + "|routes,bogus"),
             StartsWith("ERROR|invalid scope"));
  CHECK(control.send("CONFIG_APPLY_PARTIAL|" + session + "|routes") == "OK");

  CHECK(reply_json(control.send("ROUTE_LIST|" + session), "ROUTE_LIST_OK")[0]["status"] == "active");
  const auto diff = config_diff(control, session);
  CHECK(diff["routes"] == json::parse(R"({"added":[],"removed":[],"modified":[]})"));
  CHECK(diff["headers"] == summary(1, 0, 0));
  auto response = http_get(regd.proxy(), "a.com", "/");
  CHECK(response.status == 200);
  CHECK(response.header("X-Team") == "");

  CHECK(control.send("CONFIG_APPLY_PARTIAL|" + session + "|headers,options") == "OK");
  CHECK(config_diff(control, session)["changes"].empty());
  response = http_get(regd.proxy(), "a.com", "/");
  CHECK(response.header("X-Team") == "blue");
}

TEST_CASE("staging: staged changes expire after the staged TTL") {
  RegdProcess regd({"--staged-ttl", "1s"});
  Control control(regd.control());
  Control subscriber(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  const auto list_before = control.send("ROUTE_LIST|" + session);
  REQUIRE(subscriber.send("SUBSCRIBE|" + session + "|staged_expired") == "SUBSCRIBE_OK");

  control.add_route(session, "b.com", "/", "http://127.0.0.1:9001");
  REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-A|v") == "HEADERS_OK");

  CHECK(reply_json(subscriber.next_line(20s), "EVENT|staged_expired") == json({{"discarded", 2}}));
  CHECK(config_diff(control, session)["changes"].empty());
  CHECK(control.send("ROUTE_LIST|" + session) == list_before);
}

}  // namespace reg::test
