#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "daemon/control/config_apply.hpp"
#include "unit_helpers.hpp"

using reg::control::all_config_kinds;
using reg::control::CircuitSpec;
using reg::control::config_kinds_from_scope;
using reg::control::ConfigKind;
using reg::control::ConfigKinds;
using reg::control::HeaderValue;
using reg::control::HealthSpec;
using reg::control::kAllRoutes;
using reg::control::plan_apply;
using reg::control::RateLimitSpec;
using reg::control::SessionConfig;
using unit::error_of;
using unit::make_route;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kRouteLimit = 100;

bool has(const ConfigKinds& kinds, ConfigKind kind) { return kinds.test(static_cast<std::size_t>(kind)); }

ConfigKinds only(std::vector<std::string> scope) { return config_kinds_from_scope(scope); }

// An active configuration with route r1 and one setting of every kind on it,
// plus session-wide (ALL) settings.
SessionConfig active_with_settings_on_r1() {
  SessionConfig config;
  config.routes[1] = make_route({"example.com"}, "/api");
  config.routes[2] = make_route({"example.com"}, "/web");
  config.headers[{1, "x-route"}] = HeaderValue{"X-Route", "one"};
  config.headers[{kAllRoutes, "x-all"}] = HeaderValue{"X-All", "yes"};
  config.options[{1, "timeout"}] = "30s";
  config.options[{kAllRoutes, "websocket"}] = "true";
  config.health[1] = HealthSpec{"/healthz", 10s, 2s};
  config.ratelimits[1] = RateLimitSpec{100, 1min};
  config.ratelimits[kAllRoutes] = RateLimitSpec{1000, 1min};
  config.circuits[1] = CircuitSpec{5, 30s, 2};
  return config;
}

}  // namespace

TEST_CASE("config apply: a full apply takes everything staged") {
  const SessionConfig active = active_with_settings_on_r1();
  SessionConfig staged = active;
  staged.routes[3] = make_route({"new.example.com"});
  staged.headers[{kAllRoutes, "x-all"}] = HeaderValue{"X-All", "changed"};
  staged.options[{3, "weight"}] = "5";
  staged.health[3] = HealthSpec{"/up", 5s, 1s};
  staged.ratelimits.erase(kAllRoutes);
  staged.circuits[kAllRoutes] = CircuitSpec{3, 10s, 1};

  auto result = plan_apply(active, staged, all_config_kinds(), kRouteLimit);
  REQUIRE(result.ok());
  CHECK(*result == staged);
}

TEST_CASE("config apply: nothing staged gives the active configuration back") {
  const SessionConfig active = active_with_settings_on_r1();
  auto result = plan_apply(active, active, all_config_kinds(), kRouteLimit);
  REQUIRE(result.ok());
  CHECK(*result == active);
}

TEST_CASE("config apply: a partial apply of routes keeps the active headers") {
  const SessionConfig active = active_with_settings_on_r1();
  SessionConfig staged = active;
  staged.routes[3] = make_route({"new.example.com"});
  staged.headers[{kAllRoutes, "x-all"}] = HeaderValue{"X-All", "staged"};
  staged.headers[{3, "x-new"}] = HeaderValue{"X-New", "1"};
  staged.options[{kAllRoutes, "websocket"}] = "false";

  auto result = plan_apply(active, staged, only({"routes"}), kRouteLimit);
  REQUIRE(result.ok());
  CHECK(result->routes == staged.routes);
  CHECK(result->headers == active.headers);
  CHECK(result->options == active.options);
  CHECK(result->health == active.health);
  CHECK(result->ratelimits == active.ratelimits);
  CHECK(result->circuits == active.circuits);
}

TEST_CASE("config apply: a partial apply of headers leaves the routes as they are") {
  const SessionConfig active = active_with_settings_on_r1();
  SessionConfig staged = active;
  staged.routes[3] = make_route({"new.example.com"});
  staged.headers[{kAllRoutes, "x-all"}] = HeaderValue{"X-All", "staged"};

  auto result = plan_apply(active, staged, only({"headers"}), kRouteLimit);
  REQUIRE(result.ok());
  CHECK(result->routes == active.routes);
  CHECK(result->headers == staged.headers);
}

TEST_CASE("config apply: a staged setting naming a route pending removal is refused") {
  const SessionConfig active = active_with_settings_on_r1();

  SECTION("health") {
    SessionConfig staged;
    staged.routes[2] = active.routes.at(2);
    staged.health[1] = HealthSpec{"/healthz", 5s, 1s};
    CHECK(error_of(plan_apply(active, staged, all_config_kinds(), kRouteLimit)) ==
          "health r1: route pending removal");
  }
  SECTION("ratelimit") {
    SessionConfig staged;
    staged.routes[2] = active.routes.at(2);
    staged.ratelimits[1] = RateLimitSpec{10, 1s};
    CHECK(error_of(plan_apply(active, staged, all_config_kinds(), kRouteLimit)) ==
          "ratelimit r1: route pending removal");
  }
  SECTION("circuit") {
    SessionConfig staged;
    staged.routes[2] = active.routes.at(2);
    staged.circuits[1] = CircuitSpec{5, 30s, 2};
    CHECK(error_of(plan_apply(active, staged, all_config_kinds(), kRouteLimit)) ==
          "circuit r1: route pending removal");
  }
  SECTION("headers") {
    SessionConfig staged;
    staged.routes[2] = active.routes.at(2);
    staged.headers[{1, "x-route"}] = HeaderValue{"X-Route", "two"};
    CHECK(error_of(plan_apply(active, staged, all_config_kinds(), kRouteLimit)) ==
          "headers r1: route pending removal");
  }
  SECTION("options") {
    SessionConfig staged;
    staged.routes[2] = active.routes.at(2);
    staged.options[{1, "timeout"}] = "5s";
    CHECK(error_of(plan_apply(active, staged, all_config_kinds(), kRouteLimit)) ==
          "options r1: route pending removal");
  }
}

TEST_CASE("config apply: the same check runs for a partial apply of routes and that kind") {
  const SessionConfig active = active_with_settings_on_r1();
  SessionConfig staged;
  staged.routes[2] = active.routes.at(2);
  staged.health[1] = HealthSpec{"/healthz", 5s, 1s};
  CHECK(error_of(plan_apply(active, staged, only({"routes", "health"}), kRouteLimit)) ==
        "health r1: route pending removal");
}

TEST_CASE("config apply: a staged setting for a route that stays staged is refused") {
  const SessionConfig active = active_with_settings_on_r1();
  SessionConfig staged = active;
  staged.routes[3] = make_route({"new.example.com"});
  staged.health[3] = HealthSpec{"/up", 5s, 1s};
  CHECK(error_of(plan_apply(active, staged, only({"health"}), kRouteLimit)) == "health r3: route not yet applied");
}

TEST_CASE("config apply: a partial apply of routes that removes a route drops its active settings") {
  const SessionConfig active = active_with_settings_on_r1();
  SessionConfig staged = active;
  staged.routes.erase(1);

  auto result = plan_apply(active, staged, only({"routes"}), kRouteLimit);
  REQUIRE(result.ok());
  CHECK(result->routes.count(1) == 0);
  CHECK(result->health.empty());
  CHECK(result->circuits.empty());
  CHECK(result->ratelimits == std::map<reg::control::Target, RateLimitSpec>{{kAllRoutes, RateLimitSpec{1000, 1min}}});
  CHECK(result->headers.size() == 1);
  CHECK(result->headers.count({kAllRoutes, "x-all"}) == 1);
  CHECK(result->options.size() == 1);
  CHECK(result->options.count({kAllRoutes, "websocket"}) == 1);
}

TEST_CASE("config apply: settings on routes that stay are kept by a partial apply of routes") {
  const SessionConfig active = active_with_settings_on_r1();
  SessionConfig staged = active;
  staged.routes.erase(2);

  auto result = plan_apply(active, staged, only({"routes"}), kRouteLimit);
  REQUIRE(result.ok());
  CHECK(result->health == active.health);
  CHECK(result->circuits == active.circuits);
  CHECK(result->headers == active.headers);
}

TEST_CASE("config apply: a session over its route limit is refused") {
  SessionConfig staged;
  staged.routes[1] = make_route({"a.com"});
  staged.routes[2] = make_route({"b.com"});
  staged.routes[3] = make_route({"c.com"});
  CHECK(error_of(plan_apply(SessionConfig{}, staged, all_config_kinds(), 2)) ==
        "route limit exceeded: 3 routes (limit 2 per session)");
  CHECK(plan_apply(SessionConfig{}, staged, all_config_kinds(), 3).ok());
}

TEST_CASE("config apply: the route limit counts the routes after the apply") {
  SessionConfig active;
  active.routes[1] = make_route({"a.com"});
  active.routes[2] = make_route({"b.com"});
  SessionConfig staged;
  staged.routes[3] = make_route({"c.com"});
  staged.routes[4] = make_route({"d.com"});
  CHECK(plan_apply(active, staged, all_config_kinds(), 2).ok());

  staged.routes = active.routes;
  staged.routes[3] = make_route({"c.com"});
  CHECK(error_of(plan_apply(active, staged, only({"routes"}), 2)) ==
        "route limit exceeded: 3 routes (limit 2 per session)");
  CHECK(plan_apply(active, staged, only({"headers"}), 2).ok());
}

TEST_CASE("config apply: config_kinds_from_scope") {
  const ConfigKinds routes_and_health = only({"routes", "health"});
  CHECK(has(routes_and_health, ConfigKind::routes));
  CHECK(has(routes_and_health, ConfigKind::health));
  CHECK_FALSE(has(routes_and_health, ConfigKind::headers));
  CHECK_FALSE(has(routes_and_health, ConfigKind::options));
  CHECK_FALSE(has(routes_and_health, ConfigKind::ratelimit));
  CHECK_FALSE(has(routes_and_health, ConfigKind::circuit));

  CHECK(only({}).none());
  CHECK(only({"circuit"}).count() == 1);
  CHECK(has(only({"circuit"}), ConfigKind::circuit));
  CHECK(has(only({"ratelimit"}), ConfigKind::ratelimit));
  CHECK(has(only({"options"}), ConfigKind::options));
  CHECK(has(only({"headers"}), ConfigKind::headers));
  CHECK(only({"routes", "routes"}).count() == 1);
  CHECK(only({"routes", "headers", "options", "health", "ratelimit", "circuit"}) == all_config_kinds());
  CHECK(all_config_kinds().all());
}
