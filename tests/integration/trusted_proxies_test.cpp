// --trusted-proxies: the rate limiter counts the client a trusted proxy names
// in X-Forwarded-For, and the socket's peer otherwise.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/control.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"

namespace reg::test {
namespace {

// regd serving a.com from one backend with a limit of 2 requests a minute.
struct RateLimitedRoute {
  explicit RateLimitedRoute(std::vector<std::string> flags) : regd(std::move(flags)), backend("A"), control(regd.control()) {
    const auto session = control.register_session("svc", "i1", persistent_lease);
    const auto route = control.add_route(session, "a.com", "/", backend.url());
    REQUIRE(control.send("RATELIMIT_SET|" + session + "|" + route + "|2|1m") == "RATELIMIT_OK");
    REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  }

  int status_for(std::string_view forwarded_for) {
    return http_get(regd.proxy(), "a.com", "/", {{"X-Forwarded-For", std::string(forwarded_for)}}).status;
  }

  RegdProcess regd;
  HttpBackend backend;
  Control control;
};

}  // namespace

TEST_CASE("trusted proxies: a trusted peer's X-Forwarded-For clients are limited separately") {
  RateLimitedRoute served({"--trusted-proxies", "10.0.0.0/8,127.0.0.1/32"});

  CHECK(served.status_for("203.0.113.1") == 200);
  CHECK(served.status_for("203.0.113.1") == 200);
  CHECK(served.status_for("203.0.113.1") == 429);
  CHECK(served.status_for("203.0.113.2") == 200);
  CHECK(served.status_for("198.51.100.9, 203.0.113.2") == 200);
  CHECK(served.status_for("203.0.113.2, 10.1.2.3") == 429);
  // What the backend sees is unchanged: the chain with the peer appended.
  CHECK(served.backend.last_request()->header("X-Forwarded-For") == "198.51.100.9, 203.0.113.2, 127.0.0.1");
}

TEST_CASE("trusted proxies: without the flag every request counts for the socket's address") {
  RateLimitedRoute served({});

  CHECK(served.status_for("203.0.113.1") == 200);
  CHECK(served.status_for("203.0.113.2") == 200);
  CHECK(served.status_for("203.0.113.3") == 429);
}

TEST_CASE("trusted proxies: a malformed network stops regd with the reason") {
  CHECK_THROWS_WITH(RegdProcess({"--trusted-proxies", "10.0.0.1/8"}),
                    Catch::Matchers::Contains("invalid cidr: 10.0.0.1/8 (address bits past the prefix must be zero)"));
}

}  // namespace reg::test
