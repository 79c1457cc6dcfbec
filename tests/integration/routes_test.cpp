// PROTOCOL.md §5 "Routes": staging, listing, updating, conflicts, validation.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "support/control.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;

using nlohmann::json;

json route_list(Control& control, const std::string& session) {
  return reply_json(control.send("ROUTE_LIST|" + session), "ROUTE_LIST_OK");
}

// One ROUTE_ADD_BULK entry.
std::string bulk_entry(std::string_view domain, std::string_view path = "/") {
  return R"({"domains":[")" + std::string(domain) + R"("],"path":")" + std::string(path) +
         R"(","backend_url":"http://127.0.0.1:9000","priority":0})";
}

}  // namespace

TEST_CASE("routes: a route goes from staged to active to pending removal") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  REQUIRE(control.send("ROUTE_ADD|" + session + "|a.com|/|http://127.0.0.1:9000|0") == "ROUTE_OK|r1");
  CHECK(route_list(control, session) == json::parse(R"([{"route_id":"r1","domains":["a.com"],"path":"/",
        "backend":"http://127.0.0.1:9000","priority":0,"status":"staged"}])"));

  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(route_list(control, session)[0]["status"] == "active");

  CHECK(control.send("ROUTE_REMOVE|" + session + "|r1") == "ROUTE_OK");
  CHECK(route_list(control, session)[0]["status"] == "pending_removal");

  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(route_list(control, session).empty());
  CHECK(control.send("ROUTE_REMOVE|" + session + "|r1") == "ERROR|route not found: r1");
}

TEST_CASE("routes: removing a route that was only staged unstages it") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");

  CHECK(control.send("ROUTE_REMOVE|" + session + "|" + route) == "ROUTE_OK");
  CHECK(route_list(control, session).empty());
  const auto diff = reply_json(control.send("CONFIG_DIFF|" + session), "DIFF_OK");
  CHECK(diff["routes"]["added"].empty());
  CHECK(diff["changes"].empty());
}

TEST_CASE("routes: ROUTE_LIST shows canonical values sorted by route number") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  for (int i = 1; i <= 11; ++i) control.add_route(session, "h" + std::to_string(i) + ".com", "/", "http://b");
  control.add_route(session, "Api.Example.COM,*.Example.com", "/v1", "https://b", -7);
  control.add_route(session, "c.com", "/", "http://b:8080/base", 1000000);

  const auto routes = route_list(control, session);
  REQUIRE(routes.size() == 13);
  for (int i = 0; i < 13; ++i) CHECK(routes[i]["route_id"] == "r" + std::to_string(i + 1));
  CHECK(routes[0]["backend"] == "http://b:80");
  CHECK(routes[11]["domains"] == json::array({"api.example.com", "*.example.com"}));
  CHECK(routes[11]["backend"] == "https://b:443");
  CHECK(routes[11]["priority"] == -7);
  CHECK(routes[12]["backend"] == "http://b:8080/base");
  CHECK(routes[12]["priority"] == 1000000);
}

TEST_CASE("routes: route ids are unique across sessions and never reused") {
  RegdProcess regd;
  Control control(regd.control());
  const auto first = control.register_session("svc", "i1");
  const auto second = control.register_session("svc", "i2");

  CHECK(control.add_route(first, "a.com", "/", "http://127.0.0.1:9000") == "r1");
  CHECK(control.add_route(second, "a.com", "/", "http://127.0.0.1:9001") == "r2");
  REQUIRE(control.send("ROUTE_REMOVE|" + first + "|r1") == "ROUTE_OK");
  CHECK(control.add_route(first, "a.com", "/", "http://127.0.0.1:9000") == "r3");
  // A route belongs to its session.
  CHECK(control.send("ROUTE_REMOVE|" + first + "|r2") == "ERROR|route not found: r2");
  CHECK(control.send("ROUTE_REMOVE|" + first + "|bogus") == "ERROR|route not found: bogus");
}

TEST_CASE("routes: ROUTE_UPDATE changes each field and stages the route") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  const std::string update = "ROUTE_UPDATE|" + session + "|" + route + "|";

  CHECK(control.send(update + "backend_url|http://127.0.0.1:9001") == "ROUTE_OK");
  CHECK(control.send(update + "priority|42") == "ROUTE_OK");
  CHECK(control.send(update + "domains|b.com,c.com") == "ROUTE_OK");
  CHECK(control.send(update + "path|/api") == "ROUTE_OK");
  CHECK(route_list(control, session) == json::parse(R"([{"route_id":"r1","domains":["b.com","c.com"],
        "path":"/api","backend":"http://127.0.0.1:9001","priority":42,"status":"staged"}])"));

  CHECK_THAT(control.send(update + "backend_url|gopher://x"), StartsWith("ERROR|invalid backend url"));
  CHECK_THAT(control.send(update + "priority|high"), StartsWith("ERROR|invalid priority"));
  CHECK_THAT(control.send(update + "domains|bad_domain!"), StartsWith("ERROR|invalid domain"));
  CHECK_THAT(control.send(update + "path|api"), StartsWith("ERROR|invalid path"));
  CHECK_THAT(control.send(update + "colour|red"), StartsWith("ERROR|"));
  CHECK(control.send("ROUTE_UPDATE|" + session + "|r99|priority|1") == "ERROR|route not found: r99");
  CHECK(route_list(control, session)[0]["priority"] == 42);

  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(route_list(control, session)[0]["status"] == "active");
}

TEST_CASE("routes: the same domain and path twice in one session is refused") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  REQUIRE(control.add_route(session, "a.com", "/api", "http://127.0.0.1:9000") == "r1");

  CHECK(control.send("ROUTE_ADD|" + session + "|b.com,a.com|/api|http://127.0.0.1:9001|0") ==
        "ERROR|new route conflicts with r1 on a.com/api");
  CHECK(control.send("ROUTE_ADD|" + session + "|A.COM|/api|http://127.0.0.1:9001|0") ==
        "ERROR|new route conflicts with r1 on a.com/api");
  REQUIRE(control.add_route(session, "b.com", "/api", "http://127.0.0.1:9001") == "r2");
  CHECK(control.send("ROUTE_UPDATE|" + session + "|r2|domains|a.com") ==
        "ERROR|route r2 conflicts with r1 on a.com/api");
  REQUIRE(control.add_route(session, "a.com", "/", "http://127.0.0.1:9001") == "r3");
  CHECK(control.send("ROUTE_UPDATE|" + session + "|r3|path|/api") ==
        "ERROR|route r3 conflicts with r1 on a.com/api");

  // Another session may serve the same domain and path: that is a pool.
  const auto other = control.register_session("svc", "i2");
  CHECK_THAT(control.send("ROUTE_ADD|" + other + "|a.com|/api|http://127.0.0.1:9002|0"),
             StartsWith("ROUTE_OK|"));
}

TEST_CASE("routes: a route pending removal can be replaced in the same apply") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto old_route = control.add_route(session, "a.com", "/api", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(control.send("ROUTE_REMOVE|" + session + "|" + old_route) == "ROUTE_OK");
  const auto new_route = control.add_route(session, "a.com", "/api", "http://127.0.0.1:9001");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  const auto routes = route_list(control, session);
  REQUIRE(routes.size() == 1);
  CHECK(routes[0]["route_id"] == new_route);
  CHECK(routes[0]["status"] == "active");
}

TEST_CASE("routes: ROUTE_ADD_BULK stages every entry or none") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const std::string bulk = "ROUTE_ADD_BULK|" + session + "|";

  const std::string two_routes =
      R"([{"domains":["a.com"],"path":"/","backend_url":"http://127.0.0.1:9000","priority":0},)"
      R"({"domains":["b.com","c.com"],"path":"/api","backend_url":"http://b:81","priority":3}])";
  CHECK(control.send(bulk + two_routes) ==
        R"(ROUTE_BULK_OK|[{"route_id":"r1","status":"ok"},{"route_id":"r2","status":"ok"}])");
  const auto routes = route_list(control, session);
  REQUIRE(routes.size() == 2);
  CHECK(routes[1]["domains"] == json::array({"b.com", "c.com"}));
  CHECK(routes[1]["priority"] == 3);
  CHECK(routes[1]["backend"] == "http://b:81");

  CHECK_THAT(control.send(bulk + "[" + bulk_entry("d.com") + "," + bulk_entry("bad_domain!") + "]"),
             StartsWith("ERROR|route 2: invalid domain"));
  CHECK_THAT(control.send(bulk + "[" + bulk_entry("d.com") + "," + bulk_entry("d.com") + "]"),
             StartsWith("ERROR|route 2: "));
  CHECK_THAT(control.send(bulk + "[" + bulk_entry("a.com") + "]"), StartsWith("ERROR|route 1: "));
  CHECK_THAT(control.send(bulk + "[" + bulk_entry("e.com", "nope") + "]"),
             StartsWith("ERROR|route 1: invalid path"));
  CHECK_THAT(control.send(bulk + "[{not json"), StartsWith("ERROR|invalid json"));
  CHECK(route_list(control, session) == routes);
  CHECK(control.add_route(session, "f.com", "/", "http://127.0.0.1:9000") == "r3");
}

TEST_CASE("routes: staging commands check domains paths urls and priorities") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const std::string add = "ROUTE_ADD|" + session + "|";

  for (const std::string domains :
       {"bad_domain!", "a..com", "exa mple.com", "", "a.com,", "*", "*.*.a.com"}) {
    INFO("domains " << domains);
    CHECK_THAT(control.send(add + domains + "|/|http://127.0.0.1:9000|0"),
               StartsWith("ERROR|invalid domain"));
  }
  for (const std::string path : {"api", "", "/a b", "/api?x=1"}) {
    INFO("path " << path);
    CHECK_THAT(control.send(add + "a.com|" + path + "|http://127.0.0.1:9000|0"),
               StartsWith("ERROR|invalid path"));
  }
  for (const std::string url :
       {"ftp://b:21", "http://", "b:80", "http://b:99999", "http://b:0", "http://b:x"}) {
    INFO("url " << url);
    CHECK_THAT(control.send(add + "a.com|/|" + url + "|0"), StartsWith("ERROR|invalid backend url"));
  }
  for (const std::string priority : {"high", "1.5", "1000001", "-1000001", ""}) {
    INFO("priority " << priority);
    CHECK_THAT(control.send(add + "a.com|/|http://127.0.0.1:9000|" + priority),
               StartsWith("ERROR|invalid priority"));
  }
  CHECK(route_list(control, session).empty());

  int host = 0;
  for (const std::string url :
       {"http://b", "https://b", "ws://b:81", "wss://b/socket", "http://[::1]:9000"}) {
    INFO("url " << url);
    CHECK_THAT(control.send(add + "u" + std::to_string(++host) + ".com|/|" + url + "|0"),
               StartsWith("ROUTE_OK|"));
  }
  CHECK_THAT(control.send(add + "*.wild.com|/|http://127.0.0.1:9000|-1000000"), StartsWith("ROUTE_OK|"));
}

}  // namespace reg::test
