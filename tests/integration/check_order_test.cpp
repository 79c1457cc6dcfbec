// PROTOCOL.md §3: fields are counted first, then the session is looked up, then
// values are checked; a refused command changes nothing.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "support/control.hpp"
#include "support/regd_process.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;

std::uint64_t route_number(const std::string& route_id) { return std::stoull(route_id.substr(1)); }

}  // namespace

TEST_CASE("check order: usage before session before values") {
  RegdProcess regd;
  Control control(regd.control());

  CHECK(control.send("ROUTE_ADD|nosuch|a.com") ==
        "ERROR|usage: ROUTE_ADD|session_id|domains|path|backend_url|priority");
  CHECK(control.send("ROUTE_ADD|nosuch|bad_domain!|nopath|ftp://x|high") == "ERROR|session not found");
  CHECK(control.send("HEADERS_SET|nosuch|ALL|Bad Name|v") == "ERROR|session not found");
  CHECK(control.send("OPTIONS_SET|nosuch|ALL|nokey|v") == "ERROR|session not found");
  CHECK(control.send("DRAIN_START|nosuch|soon") == "ERROR|session not found");

  const auto session = control.register_session("svc", "i1");
  CHECK_THAT(control.send("ROUTE_ADD|" + session + "|bad_domain!|nopath|ftp://x|high"),
             StartsWith("ERROR|invalid domain"));
  CHECK_THAT(control.send("ROUTE_ADD|" + session + "|a.com|nopath|ftp://x|high"),
             StartsWith("ERROR|invalid path"));
}

TEST_CASE("check order: a rejected command does not use up a route id") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto first = control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");

  const std::string prefix = "ROUTE_ADD|" + session + "|";
  CHECK_THAT(control.send(prefix + "b.com"), StartsWith("ERROR|usage:"));
  CHECK(control.send("ROUTE_ADD|nosuch|b.com|/|http://127.0.0.1:9000|0") == "ERROR|session not found");
  CHECK_THAT(control.send(prefix + "bad_domain!|/|http://127.0.0.1:9000|0"),
             StartsWith("ERROR|invalid domain"));
  CHECK_THAT(control.send(prefix + "b.com|nopath|http://127.0.0.1:9000|0"), StartsWith("ERROR|invalid path"));
  CHECK_THAT(control.send(prefix + "b.com|/|ftp://127.0.0.1:21|0"), StartsWith("ERROR|invalid backend url"));
  CHECK_THAT(control.send(prefix + "b.com|/|http://127.0.0.1:9000|high"),
             StartsWith("ERROR|invalid priority"));
  CHECK_THAT(control.send(prefix + "a.com|/|http://127.0.0.1:9001|0"),
             StartsWith("ERROR|new route conflicts with"));
  CHECK_THAT(
      control.send(
          "ROUTE_ADD_BULK|" + session +
          R"(|[{"domains":["c.com"],"path":"/","backend_url":"http://127.0.0.1:9000","priority":0},)"
          R"({"domains":["bad_domain!"],"path":"/","backend_url":"http://127.0.0.1:9000","priority":0}])"),
      StartsWith("ERROR|route 2: "));

  const auto next = control.add_route(session, "b.com", "/", "http://127.0.0.1:9000");
  CHECK(route_number(next) == route_number(first) + 1);
}

}  // namespace reg::test
