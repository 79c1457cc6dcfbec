#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>

#include "daemon/control/config_diff.hpp"
#include "unit_helpers.hpp"

using nlohmann::json;
using reg::control::CircuitSpec;
using reg::control::config_diff;
using reg::control::count_changes;
using reg::control::HeaderValue;
using reg::control::HealthSpec;
using reg::control::kAllRoutes;
using reg::control::RateLimitSpec;
using reg::control::SessionConfig;
using unit::make_route;
using namespace std::chrono_literals;

namespace {

const json kNoChange = {{"added", 0}, {"removed", 0}, {"modified", 0}};

json summary(int added, int removed, int modified) {
  return {{"added", added}, {"removed", removed}, {"modified", modified}};
}

}  // namespace

TEST_CASE("config diff: no changes gives the full empty shape") {
  json diff = config_diff(SessionConfig{}, SessionConfig{});
  CHECK(diff == json::parse(R"({
      "routes":{"added":[],"removed":[],"modified":[]},
      "headers":{"added":0,"removed":0,"modified":0},
      "options":{"added":0,"removed":0,"modified":0},
      "health":{"added":0,"removed":0,"modified":0},
      "ratelimit":{"added":0,"removed":0,"modified":0},
      "circuit":{"added":0,"removed":0,"modified":0},
      "changes":[]})"));
  CHECK(count_changes(SessionConfig{}, SessionConfig{}) == 0);
}

TEST_CASE("config diff: an unchanged non-empty configuration has no changes") {
  SessionConfig config;
  config.routes[1] = make_route({"example.com"}, "/api");
  config.headers[{kAllRoutes, "x-a"}] = HeaderValue{"X-A", "v"};
  config.options[{1, "timeout"}] = "30s";
  config.health[1] = HealthSpec{"/healthz", 10s, 2s};
  json diff = config_diff(config, config);
  CHECK(diff["changes"] == json::array());
  CHECK(diff["routes"]["added"] == json::array());
  CHECK(diff["headers"] == kNoChange);
  CHECK(count_changes(config, config) == 0);
}

TEST_CASE("config diff: an added route") {
  SessionConfig staged;
  staged.routes[3] = make_route({"example.com", "www.example.com"}, "/api", "http://10.0.0.5:8080", 10);
  json diff = config_diff(SessionConfig{}, staged);
  CHECK(diff["routes"] == json::parse(R"({"added":["r3"],"removed":[],"modified":[]})"));
  REQUIRE(diff["changes"].size() == 1);
  CHECK(diff["changes"][0] == json::parse(R"({"kind":"route","op":"add","id":"r3","before":null,
      "after":{"route_id":"r3","domains":["example.com","www.example.com"],"path":"/api",
               "backend":"http://10.0.0.5:8080","priority":10}})"));
}

TEST_CASE("config diff: a modified route shows before and after") {
  SessionConfig active;
  active.routes[2] = make_route({"example.com"}, "/", "http://old:80");
  SessionConfig staged = active;
  staged.routes[2].backend = *reg::parse_backend_url("http://new:8080");
  staged.routes[2].priority = 5;
  json diff = config_diff(active, staged);
  CHECK(diff["routes"] == json::parse(R"({"added":[],"removed":[],"modified":["r2"]})"));
  REQUIRE(diff["changes"].size() == 1);
  CHECK(diff["changes"][0] == json::parse(R"({"kind":"route","op":"modify","id":"r2",
      "before":{"route_id":"r2","domains":["example.com"],"path":"/","backend":"http://old:80","priority":0},
      "after":{"route_id":"r2","domains":["example.com"],"path":"/","backend":"http://new:8080","priority":5}})"));
}

TEST_CASE("config diff: a removed route has after null") {
  SessionConfig active;
  active.routes[1] = make_route({"example.com"}, "/old");
  json diff = config_diff(active, SessionConfig{});
  CHECK(diff["routes"] == json::parse(R"({"added":[],"removed":["r1"],"modified":[]})"));
  REQUIRE(diff["changes"].size() == 1);
  CHECK(diff["changes"][0] == json::parse(R"({"kind":"route","op":"remove","id":"r1",
      "before":{"route_id":"r1","domains":["example.com"],"path":"/old","backend":"http://b:80","priority":0},
      "after":null})"));
}

TEST_CASE("config diff: route ids in the summary are sorted by number") {
  SessionConfig staged;
  staged.routes[10] = make_route({"a.com"});
  staged.routes[2] = make_route({"b.com"});
  staged.routes[1] = make_route({"c.com"});
  json diff = config_diff(SessionConfig{}, staged);
  CHECK(diff["routes"]["added"] == json::parse(R"(["r1","r2","r10"])"));
}

TEST_CASE("config diff: headers added, modified and removed") {
  SessionConfig active;
  active.headers[{kAllRoutes, "x-old"}] = HeaderValue{"X-Old", "gone"};
  active.headers[{1, "x-mode"}] = HeaderValue{"X-Mode", "v1"};
  SessionConfig staged;
  staged.headers[{1, "x-mode"}] = HeaderValue{"X-Mode", "v2"};
  staged.headers[{kAllRoutes, "x-a"}] = HeaderValue{"X-A", "v"};

  json diff = config_diff(active, staged);
  CHECK(diff["headers"] == summary(1, 1, 1));
  const json& changes = diff["changes"];
  REQUIRE(changes.size() == 3);
  CHECK(changes[0] == json::parse(R"({"kind":"header","op":"add","target":"ALL","name":"X-A",
                                      "before":null,"after":"v"})"));
  CHECK(changes[1] == json::parse(R"({"kind":"header","op":"remove","target":"ALL","name":"X-Old",
                                      "before":"gone","after":null})"));
  CHECK(changes[2] == json::parse(R"({"kind":"header","op":"modify","target":"r1","name":"X-Mode",
                                      "before":"v1","after":"v2"})"));
}

TEST_CASE("config diff: options added, modified and removed") {
  SessionConfig active;
  active.options[{1, "timeout"}] = "30s";
  active.options[{1, "weight"}] = "10";
  SessionConfig staged;
  staged.options[{1, "timeout"}] = "5s";
  staged.options[{kAllRoutes, "websocket"}] = "true";

  json diff = config_diff(active, staged);
  CHECK(diff["options"] == summary(1, 1, 1));
  const json& changes = diff["changes"];
  REQUIRE(changes.size() == 3);
  CHECK(changes[0] == json::parse(R"({"kind":"option","op":"add","target":"ALL","key":"websocket",
                                      "before":null,"after":"true"})"));
  CHECK(changes[1] == json::parse(R"({"kind":"option","op":"modify","target":"r1","key":"timeout",
                                      "before":"30s","after":"5s"})"));
  CHECK(changes[2] == json::parse(R"({"kind":"option","op":"remove","target":"r1","key":"weight",
                                      "before":"10","after":null})"));
}

TEST_CASE("config diff: health checks added, modified and removed") {
  SessionConfig active;
  active.health[1] = HealthSpec{"/healthz", 10s, 2s};
  active.health[2] = HealthSpec{"/ping", 30s, 1s};
  SessionConfig staged;
  staged.health[1] = HealthSpec{"/healthz", 5s, 2s};
  staged.health[3] = HealthSpec{"/ready", 1min, 500ms};

  json diff = config_diff(active, staged);
  CHECK(diff["health"] == summary(1, 1, 1));
  const json& changes = diff["changes"];
  REQUIRE(changes.size() == 3);
  CHECK(changes[0] == json::parse(R"({"kind":"health","op":"modify","target":"r1",
      "before":{"path":"/healthz","interval":"10s","timeout":"2s"},
      "after":{"path":"/healthz","interval":"5s","timeout":"2s"}})"));
  CHECK(changes[1] == json::parse(R"({"kind":"health","op":"remove","target":"r2",
      "before":{"path":"/ping","interval":"30s","timeout":"1s"},"after":null})"));
  CHECK(changes[2] == json::parse(R"({"kind":"health","op":"add","target":"r3","before":null,
      "after":{"path":"/ready","interval":"1m","timeout":"500ms"}})"));
}

TEST_CASE("config diff: rate limits added, modified and removed") {
  SessionConfig active;
  active.ratelimits[1] = RateLimitSpec{10, 1s};
  active.ratelimits[2] = RateLimitSpec{50, 1min};
  SessionConfig staged;
  staged.ratelimits[kAllRoutes] = RateLimitSpec{100, 1min};
  staged.ratelimits[1] = RateLimitSpec{20, 1s};

  json diff = config_diff(active, staged);
  CHECK(diff["ratelimit"] == summary(1, 1, 1));
  const json& changes = diff["changes"];
  REQUIRE(changes.size() == 3);
  CHECK(changes[0] == json::parse(R"({"kind":"ratelimit","op":"add","target":"ALL","before":null,
      "after":{"requests":100,"window":"1m"}})"));
  CHECK(changes[1] == json::parse(R"({"kind":"ratelimit","op":"modify","target":"r1",
      "before":{"requests":10,"window":"1s"},"after":{"requests":20,"window":"1s"}})"));
  CHECK(changes[2] == json::parse(R"({"kind":"ratelimit","op":"remove","target":"r2",
      "before":{"requests":50,"window":"1m"},"after":null})"));
}

TEST_CASE("config diff: circuit breakers added, modified and removed") {
  SessionConfig active;
  active.circuits[kAllRoutes] = CircuitSpec{5, 30s, 2};
  active.circuits[4] = CircuitSpec{3, 10s, 1};
  SessionConfig staged;
  staged.circuits[kAllRoutes] = CircuitSpec{5, 1min, 2};
  staged.circuits[7] = CircuitSpec{10, 90s, 3};

  json diff = config_diff(active, staged);
  CHECK(diff["circuit"] == summary(1, 1, 1));
  const json& changes = diff["changes"];
  REQUIRE(changes.size() == 3);
  CHECK(changes[0] == json::parse(R"({"kind":"circuit","op":"modify","target":"ALL",
      "before":{"threshold":5,"timeout":"30s","half_open_requests":2},
      "after":{"threshold":5,"timeout":"1m","half_open_requests":2}})"));
  CHECK(changes[1] == json::parse(R"({"kind":"circuit","op":"remove","target":"r4",
      "before":{"threshold":3,"timeout":"10s","half_open_requests":1},"after":null})"));
  CHECK(changes[2] == json::parse(R"({"kind":"circuit","op":"add","target":"r7","before":null,
      "after":{"threshold":10,"timeout":"1m30s","half_open_requests":3}})"));
}

TEST_CASE("config diff: a change of one kind leaves the other summaries at zero") {
  SessionConfig staged;
  staged.options[{kAllRoutes, "timeout"}] = "10s";
  json diff = config_diff(SessionConfig{}, staged);
  CHECK(diff["options"] == summary(1, 0, 0));
  CHECK(diff["routes"] == json::parse(R"({"added":[],"removed":[],"modified":[]})"));
  for (const char* kind : {"headers", "health", "ratelimit", "circuit"}) {
    INFO("summary: " << kind);
    CHECK(diff[kind] == kNoChange);
  }
}

TEST_CASE("config diff: every change carries kind, op, before and after") {
  SessionConfig active;
  active.routes[1] = make_route({"a.com"});
  active.headers[{1, "x-a"}] = HeaderValue{"X-A", "1"};
  active.circuits[1] = CircuitSpec{5, 30s, 2};
  SessionConfig staged;
  staged.routes[2] = make_route({"b.com"});
  staged.options[{2, "weight"}] = "5";
  staged.health[2] = HealthSpec{"/h", 10s, 1s};
  staged.ratelimits[kAllRoutes] = RateLimitSpec{1, 1s};

  json diff = config_diff(active, staged);
  REQUIRE(diff["changes"].size() == 7);
  for (const json& change : diff["changes"]) {
    INFO("change: " << change.dump());
    CHECK(change.contains("kind"));
    CHECK(change.contains("op"));
    CHECK(change.contains("before"));
    CHECK(change.contains("after"));
    const std::string op = change.value("op", "");
    CHECK(change.value("before", json(0)).is_null() == (op == "add"));
    CHECK(change.value("after", json(0)).is_null() == (op == "remove"));
  }
}

TEST_CASE("config diff: count_changes equals the number of changes") {
  SessionConfig active;
  active.routes[1] = make_route({"a.com"});
  active.routes[2] = make_route({"b.com"});
  active.headers[{kAllRoutes, "x-a"}] = HeaderValue{"X-A", "1"};
  active.options[{1, "timeout"}] = "30s";
  active.health[1] = HealthSpec{"/h", 10s, 1s};
  SessionConfig staged = active;
  staged.routes.erase(1);
  staged.routes[2].priority = 9;
  staged.routes[5] = make_route({"c.com"});
  staged.headers[{kAllRoutes, "x-a"}] = HeaderValue{"X-A", "2"};
  staged.headers[{5, "x-b"}] = HeaderValue{"X-B", "3"};
  staged.options.clear();
  staged.health[1] = HealthSpec{"/h", 20s, 1s};
  staged.ratelimits[5] = RateLimitSpec{10, 1s};
  staged.circuits[kAllRoutes] = CircuitSpec{3, 5s, 1};

  json diff = config_diff(active, staged);
  CHECK(diff["changes"].size() == 9);
  CHECK(count_changes(active, staged) == diff["changes"].size());
  CHECK(count_changes(staged, active) == config_diff(staged, active)["changes"].size());
}
