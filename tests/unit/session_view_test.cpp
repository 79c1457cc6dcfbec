#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/control/session.hpp"
#include "daemon/control/session_view.hpp"
#include "unit_helpers.hpp"

using reg::control::Lease;
using reg::control::RouteSpec;
using reg::control::Session;
using reg::control::SessionConfig;
using reg::control::SystemTime;
using unit::make_route;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

// "r<number> <status>" for every route visit_routes reports, in its order.
std::vector<std::string> route_statuses(const Session& session) {
  std::vector<std::string> seen;
  reg::control::visit_routes(session, [&](std::uint64_t number, const RouteSpec&, std::string_view status) {
    seen.push_back(reg::format_route_id(number) + " " + std::string(status));
  });
  return seen;
}

using Texts = std::vector<std::string>;

// 2026-11-22T10:30:00Z
const SystemTime kConnectedAt = sys_days{year{2026} / November / 22} + 10h + 30min;

Session registered_session() {
  Session session;
  session.id = "billing.1-6f1c9a0b2c3d4e5f";
  session.service_name = "billing";
  session.instance_name = "billing-1";
  session.maintenance_port = 9000;
  session.metadata = {{"lease", "persistent"}, {"team", "payments"}};
  session.lease = Lease::persistent;
  session.connected_at = kConnectedAt;
  session.last_activity = kConnectedAt + 75s;
  return session;
}

}  // namespace

// ---------------------------------------------------------------- route statuses

TEST_CASE("session view: without staged changes every route is active, sorted by number") {
  Session session;
  session.active.routes[10] = make_route({"c.com"});
  session.active.routes[2] = make_route({"b.com"});
  session.active.routes[1] = make_route({"a.com"});
  CHECK(route_statuses(session) == Texts{"r1 active", "r2 active", "r10 active"});
}

TEST_CASE("session view: staged, modified and removed routes have their status") {
  Session session;
  session.active.routes[1] = make_route({"a.com"});
  session.active.routes[2] = make_route({"b.com"});
  session.active.routes[3] = make_route({"c.com"});
  SessionConfig& staged = session.staging(steady_clock::now());
  staged.routes[2].priority = 7;          // modified
  staged.routes.erase(3);                 // pending removal
  staged.routes[4] = make_route({"d.com"});  // new
  staged.routes[12] = make_route({"e.com"});
  CHECK(route_statuses(session) ==
        Texts{"r1 active", "r2 staged", "r3 pending_removal", "r4 staged", "r12 staged"});
}

TEST_CASE("session view: a route pending removal is shown as it is active") {
  Session session;
  session.active.routes[3] = make_route({"c.com"}, "/old", "http://old:80");
  session.staging(steady_clock::now()).routes.erase(3);
  std::vector<std::string> backends;
  reg::control::visit_routes(session, [&](std::uint64_t, const RouteSpec& route, std::string_view) {
    backends.push_back(route.backend.to_string());
  });
  CHECK(backends == Texts{"http://old:80"});
}

TEST_CASE("session view: a modified route is shown with its staged values") {
  Session session;
  session.active.routes[1] = make_route({"a.com"}, "/", "http://old:80");
  session.staging(steady_clock::now()).routes[1].backend = *reg::parse_backend_url("http://new:80");
  std::vector<std::string> backends;
  reg::control::visit_routes(session, [&](std::uint64_t, const RouteSpec& route, std::string_view) {
    backends.push_back(route.backend.to_string());
  });
  CHECK(backends == Texts{"http://new:80"});
}

TEST_CASE("session view: a staged copy with no route changes shows every route active") {
  Session session;
  session.active.routes[1] = make_route({"a.com"});
  session.staging(steady_clock::now()).options[{1, "timeout"}] = "5s";
  CHECK(route_statuses(session) == Texts{"r1 active"});
}

TEST_CASE("session view: session_has_route sees active and staged routes") {
  Session session;
  session.active.routes[1] = make_route({"a.com"});
  CHECK(reg::control::session_has_route(session, 1));
  CHECK_FALSE(reg::control::session_has_route(session, 2));

  SessionConfig& staged = session.staging(steady_clock::now());
  staged.routes.erase(1);
  staged.routes[2] = make_route({"b.com"});
  CHECK(reg::control::session_has_route(session, 1));
  CHECK(reg::control::session_has_route(session, 2));
  CHECK_FALSE(reg::control::session_has_route(session, 3));
}

// ---------------------------------------------------------------- session_json

TEST_CASE("session view: session_json has every SESSION_INFO key") {
  nlohmann::json info = reg::control::session_json(registered_session(), kConnectedAt + 90s);
  for (const char* key : {"session_id", "service_name", "instance_name", "maintenance_port", "lease", "state",
                          "connected_at", "uptime_seconds", "last_activity", "routes_active", "routes_staged",
                          "last_apply", "metadata"}) {
    INFO("key: " << key);
    CHECK(info.contains(key));
  }
}

TEST_CASE("session view: session_json values") {
  Session session = registered_session();
  session.active.routes[1] = make_route({"a.com"});
  session.active.routes[2] = make_route({"b.com"});
  nlohmann::json info = reg::control::session_json(session, kConnectedAt + 90s);
  CHECK(info["session_id"] == "billing.1-6f1c9a0b2c3d4e5f");
  CHECK(info["service_name"] == "billing");
  CHECK(info["instance_name"] == "billing-1");
  CHECK(info["maintenance_port"] == 9000);
  CHECK(info["lease"] == "persistent");
  CHECK(info["state"] == "attached");
  CHECK(info["connected_at"] == "2026-11-22T10:30:00Z");
  CHECK(info["uptime_seconds"] == 90);
  CHECK(info["last_activity"] == "2026-11-22T10:31:15Z");
  CHECK(info["routes_active"] == 2);
  CHECK(info["routes_staged"] == 0);
  CHECK(info["last_apply"].is_null());
  CHECK(info["metadata"] == nlohmann::json{{"lease", "persistent"}, {"team", "payments"}});
}

TEST_CASE("session view: last_apply is the time of the last apply") {
  Session session = registered_session();
  session.last_apply = kConnectedAt + 1h;
  nlohmann::json info = reg::control::session_json(session, kConnectedAt + 2h);
  CHECK(info["last_apply"] == "2026-11-22T11:30:00Z");
  CHECK(info["uptime_seconds"] == 7200);
}

TEST_CASE("session view: routes_staged counts new and modified routes") {
  Session session = registered_session();
  session.active.routes[1] = make_route({"a.com"});
  session.active.routes[2] = make_route({"b.com"});
  SessionConfig& staged = session.staging(steady_clock::now());
  staged.routes[2].path = "/v2";
  staged.routes[3] = make_route({"c.com"});
  nlohmann::json info = reg::control::session_json(session, kConnectedAt);
  CHECK(info["routes_active"] == 2);
  CHECK(info["routes_staged"] == 2);
}

TEST_CASE("session view: a connection-lease session is attached until detached") {
  Session session = registered_session();
  session.lease = Lease::connection;
  CHECK(reg::control::session_json(session, kConnectedAt)["lease"] == "connection");
  CHECK(reg::control::session_json(session, kConnectedAt)["state"] == "attached");
  session.detached_since = steady_clock::now();
  CHECK(session.detached());
  CHECK(reg::control::session_json(session, kConnectedAt)["state"] == "detached");
}

TEST_CASE("session view: a persistent session is always attached") {
  Session session = registered_session();
  session.detached_since = steady_clock::now();
  CHECK_FALSE(session.detached());
  CHECK(reg::control::session_json(session, kConnectedAt)["state"] == "attached");
}

TEST_CASE("session view: uptime never goes negative") {
  nlohmann::json info = reg::control::session_json(registered_session(), kConnectedAt - 5s);
  CHECK(info["uptime_seconds"] == 0);
}

// ---------------------------------------------------------------- staging

TEST_CASE("session: the first staging command copies the active configuration") {
  Session session;
  session.active.routes[1] = make_route({"a.com"});
  CHECK(&session.view() == &session.active);

  const auto first = steady_clock::now();
  session.staging(first).routes[2] = make_route({"b.com"});
  REQUIRE(session.staged.has_value());
  CHECK(&session.view() == &*session.staged);
  CHECK(session.staged->routes.count(1) == 1);
  CHECK(session.active.routes.count(2) == 0);
  CHECK(session.last_staged_at == first);

  const auto second = first + 1s;
  session.staging(second).routes[3] = make_route({"c.com"});
  CHECK(session.staged->routes.size() == 3);
  CHECK(session.last_staged_at == second);
}

// ---------------------------------------------------------------- conflict index

TEST_CASE("session: find_conflict names the other route and the clashing domain and path") {
  Session session;
  const RouteSpec existing = make_route({"example.com", "www.example.com"}, "/api");
  session.index_route(1, existing);

  auto conflict = session.find_conflict(make_route({"other.com", "www.example.com"}, "/api"), 0);
  REQUIRE(conflict.has_value());
  CHECK(conflict->first == 1);
  CHECK(conflict->second == "www.example.com/api");
}

TEST_CASE("session: routes on another path or domain do not conflict") {
  Session session;
  session.index_route(1, make_route({"example.com"}, "/api"));
  CHECK_FALSE(session.find_conflict(make_route({"example.com"}, "/api2"), 0).has_value());
  CHECK_FALSE(session.find_conflict(make_route({"example.com"}, "/"), 0).has_value());
  CHECK_FALSE(session.find_conflict(make_route({"*.example.com"}, "/api"), 0).has_value());
  CHECK_FALSE(session.find_conflict(make_route({"api.example.com"}, "/api"), 0).has_value());
}

TEST_CASE("session: a route does not conflict with itself") {
  Session session;
  const RouteSpec route = make_route({"example.com"}, "/api");
  session.index_route(4, route);
  CHECK_FALSE(session.find_conflict(route, 4).has_value());
  CHECK(session.find_conflict(route, 5).has_value());
}

TEST_CASE("session: an unindexed route no longer conflicts") {
  Session session;
  const RouteSpec route = make_route({"example.com", "example.org"}, "/api");
  session.index_route(1, route);
  session.unindex_route(route);
  CHECK_FALSE(session.find_conflict(route, 0).has_value());
  CHECK(session.route_keys.empty());
}

TEST_CASE("session: rebuild_route_keys indexes the staged view") {
  Session session;
  session.active.routes[1] = make_route({"example.com"}, "/api");
  session.rebuild_route_keys();
  auto active_conflict = session.find_conflict(make_route({"example.com"}, "/api"), 0);
  REQUIRE(active_conflict.has_value());
  CHECK(active_conflict->first == 1);

  SessionConfig& staged = session.staging(steady_clock::now());
  staged.routes[2] = make_route({"example.com"}, "/web");
  session.rebuild_route_keys();
  auto staged_conflict = session.find_conflict(make_route({"example.com"}, "/web"), 0);
  REQUIRE(staged_conflict.has_value());
  CHECK(staged_conflict->first == 2);
  CHECK(staged_conflict->second == "example.com/web");
}

TEST_CASE("session: a route pending removal does not count for conflicts") {
  Session session;
  session.active.routes[1] = make_route({"example.com"}, "/api");
  session.rebuild_route_keys();
  session.staging(steady_clock::now()).routes.erase(1);
  session.rebuild_route_keys();
  CHECK_FALSE(session.find_conflict(make_route({"example.com"}, "/api"), 0).has_value());
}

TEST_CASE("session: rollback and rebuild bring back the active routes' keys") {
  Session session;
  session.active.routes[1] = make_route({"example.com"}, "/api");
  session.staging(steady_clock::now()).routes.erase(1);
  session.rebuild_route_keys();
  session.staged.reset();
  session.rebuild_route_keys();
  auto conflict = session.find_conflict(make_route({"example.com"}, "/api"), 0);
  REQUIRE(conflict.has_value());
  CHECK(conflict->first == 1);
}
