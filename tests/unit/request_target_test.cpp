#include "daemon/proxy/request_target.hpp"

#include <catch2/catch.hpp>

namespace reg::proxy {

TEST_CASE("request targets are split into path and query", "[request_target]") {
  SECTION("origin-form") {
    const auto target = parse_request_target("/api/users?id=7&x=%2F");
    REQUIRE(target);
    CHECK(target->authority.empty());
    CHECK(target->path == "/api/users");
    CHECK(target->query == "?id=7&x=%2F");
  }
  SECTION("absolute-form names the host") {
    const auto target = parse_request_target("http://Shop.Example.com:8080/cart?x=1");
    REQUIRE(target);
    CHECK(target->authority == "Shop.Example.com:8080");
    CHECK(target->path == "/cart");
    CHECK(target->query == "?x=1");
  }
  SECTION("absolute-form without a path means /") {
    const auto target = parse_request_target("HTTP://example.com?q");
    REQUIRE(target);
    CHECK(target->authority == "example.com");
    CHECK(target->path == "/");
    CHECK(target->query == "?q");
  }
  SECTION("asterisk-form") {
    const auto target = parse_request_target("*");
    REQUIRE(target);
    CHECK(target->path == "*");
  }
  SECTION("anything else is refused") {
    CHECK_FALSE(parse_request_target(""));
    CHECK_FALSE(parse_request_target("example.com:443"));
    CHECK_FALSE(parse_request_target("ftp://example.com/"));
    CHECK_FALSE(parse_request_target("http:///nohost"));
    CHECK_FALSE(parse_request_target("/api/q#frag"));
    CHECK_FALSE(parse_request_target("http://user:pw@example.com/"));
    CHECK_FALSE(parse_request_target("http://a.com:@evil.example/"));
    CHECK_FALSE(parse_request_target("http://example.com/#top"));
  }
}

TEST_CASE("targets are rewritten for the backend", "[request_target]") {
  const auto rewrite = [](std::string_view text, std::string_view strip, std::string_view base) {
    return rewrite_target(*parse_request_target(text), strip, base);
  };
  SECTION("as sent without strip or base path") {
    CHECK(rewrite("/api/users?x=1", "", "") == "/api/users?x=1");
    CHECK(rewrite("http://h/a?b", "", "") == "/a?b");
  }
  SECTION("strip_prefix removes the pool path and keeps at least /") {
    CHECK(rewrite("/api/users?x=1", "/api", "") == "/users?x=1");
    CHECK(rewrite("/api", "/api", "") == "/");
    CHECK(rewrite("/api?x=1", "/api", "") == "/?x=1");
    CHECK(rewrite("/api/", "/api", "") == "/");
    CHECK(rewrite("/anything", "/", "") == "/anything");
  }
  SECTION("the backend's base path goes in front") {
    CHECK(rewrite("/users", "", "/v2") == "/v2/users");
    CHECK(rewrite("/api/users?x=1", "/api", "/v2") == "/v2/users?x=1");
    CHECK(rewrite("/api", "/api", "/v2") == "/v2/");
  }
  SECTION("asterisk-form stays") {
    CHECK(rewrite("*", "/api", "/v2") == "*");
  }
}

}  // namespace reg::proxy
