// The way operators and CI scripts drive regd: one `nc` per command, a
// persistent session, and nothing kept between the commands but the session id.
#include <catch2/catch.hpp>

#include <string>

#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/netcat.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"

namespace reg::test {

using Catch::Matchers::StartsWith;

TEST_CASE("nc flows: a deploy script registers routes applies and shuts down") {
  RegdProcess regd;
  HttpBackend backend("A");
  const auto nc = [&](const std::string& line) { return nc_command(regd.control(), line); };

  const auto registered = nc(R"(REGISTER|deploy|ci-42|9000|{"lease":"persistent"})");
  REQUIRE_THAT(registered, StartsWith("ACK|"));
  const auto session = registered.substr(4);

  CHECK(nc("ROUTE_ADD|" + session + "|a.com|/|" + backend.url() + "|0") == "ROUTE_OK|r1");
  CHECK(nc("CONFIG_APPLY|" + session) == "OK");
  CHECK(http_get(regd.proxy(), "a.com", "/").body == "backend:A");

  const auto routes = reply_json(nc("ROUTE_LIST|" + session), "ROUTE_LIST_OK");
  REQUIRE(routes.size() == 1);
  CHECK(routes[0]["status"] == "active");
  // Every nc connection has closed; a persistent session does not care.
  CHECK(reply_json(nc("SESSION_INFO|" + session), "SESSION_OK")["state"] == "attached");

  CHECK(nc("CLIENT_SHUTDOWN|" + session) == "SHUTDOWN_OK");
  CHECK(nc("SESSION_INFO|" + session) == "ERROR|session not found");
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 404);
}

TEST_CASE("nc flows: a connection-lease session registered by nc is detached when nc exits") {
  RegdProcess regd;

  const auto registered = nc_command(regd.control(), "REGISTER|svc|i1|9000|{}");
  REQUIRE_THAT(registered, StartsWith("ACK|"));
  const auto session = registered.substr(4);

  Control observer(regd.control());
  CHECK(eventually([&] { return observer.session_state(session) == "detached"; }));
  CHECK(nc_command(regd.control(), "RECONNECT|" + session) == "OK");
}

TEST_CASE("nc flows: errors and PING need no session") {
  RegdProcess regd;

  CHECK(nc_command(regd.control(), "PING") == "PONG");
  CHECK(nc_command(regd.control(), "FOO") == "ERROR|unknown command: FOO");
  CHECK(nc_command(regd.control(), "ROUTE_LIST|nosuch") == "ERROR|session not found");
  CHECK(reply_json(nc_command(regd.control(), "VERSION"), "VERSION_OK")["protocol"] == 2);
}

}  // namespace reg::test
