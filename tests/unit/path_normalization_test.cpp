#include "daemon/proxy/path_normalization.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using reg::proxy::normalize_path;

// The path the proxy routes on: the rewritten one, or the path itself when it
// was normal already; "invalid" for a path it refuses.
std::string routed_on(std::string_view path) {
  const auto normal = normalize_path(path);
  if (!normal.valid) return "invalid";
  return normal.rewritten.empty() ? std::string(path) : normal.rewritten;
}

}  // namespace

TEST_CASE("path normalization: a normal path is left alone and costs no copy") {
  for (const char* path : {"/", "/api", "/api/", "/api/users/7", "/a.b/c-d_e~f", "/a/.hidden", "/a/b.."}) {
    INFO(path);
    const auto normal = normalize_path(path);
    CHECK(normal.valid);
    CHECK(normal.rewritten.empty());
  }
}

TEST_CASE("path normalization: dot segments are removed as RFC 3986 does") {
  CHECK(routed_on("/api/../admin") == "/admin");
  CHECK(routed_on("/api/./users") == "/api/users");
  CHECK(routed_on("/a/b/c/../../d") == "/a/d");
  CHECK(routed_on("/a/b/..") == "/a/");
  CHECK(routed_on("/a/.") == "/a/");
  CHECK(routed_on("/./") == "/");
  CHECK(routed_on("/a/..") == "/");
}

TEST_CASE("path normalization: runs of slashes are one") {
  CHECK(routed_on("//admin") == "/admin");
  CHECK(routed_on("/a//b///c") == "/a/b/c");
  CHECK(routed_on("/a//") == "/a/");
  CHECK(routed_on("//") == "/");
}

TEST_CASE("path normalization: escapes of unreserved characters are decoded, others kept as sent") {
  CHECK(routed_on("/%61dmin") == "/admin");
  CHECK(routed_on("/%7Euser/%5Fx%2D1") == "/~user/_x-1");
  CHECK(routed_on("/api/%2e%2e/admin") == "/admin");
  CHECK(routed_on("/api/%2E%2E/admin") == "/admin");
  CHECK(routed_on("/files/a%2Fb") == "/files/a%2Fb");
  CHECK(routed_on("/files/a%2f..") == "/files/a%2f..");
  CHECK(routed_on("/a%20b/%00") == "/a%20b/%00");
}

TEST_CASE("path normalization: climbing above the root or a broken escape is refused") {
  for (const char* path : {"/..", "/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/100%", "/a%4", "/a%zz", "/a%4g/b"}) {
    INFO(path);
    CHECK_FALSE(normalize_path(path).valid);
  }
}
