#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "daemon/proxy/route_table.hpp"

using reg::proxy::normalize_host;
using reg::proxy::path_prefix_matches;
using reg::proxy::Pool;
using reg::proxy::RouteTable;

namespace {

Pool make_pool(std::string host, std::string path, std::int64_t priority = 0) {
  Pool pool;
  pool.host = std::move(host);
  pool.path = std::move(path);
  pool.priority = priority;
  return pool;
}

// "host path" of the pool a request reaches, or "none".
std::string route(const RouteTable& table, std::string_view host, std::string_view path) {
  const Pool* pool = table.match(host, path);
  return pool == nullptr ? "none" : pool->host + " " + pool->path;
}

}  // namespace

TEST_CASE("route table: exact host matches its own host only") {
  const auto table = RouteTable::build({make_pool("example.com", "/")});
  CHECK(route(*table, "example.com", "/") == "example.com /");
  CHECK(route(*table, "example.com", "/anything/below") == "example.com /");
  CHECK(route(*table, "www.example.com", "/") == "none");
  CHECK(route(*table, "example.org", "/") == "none");
}

TEST_CASE("route table: wildcard matches exactly one label") {
  const auto table = RouteTable::build({make_pool("*.example.com", "/")});
  CHECK(route(*table, "a.example.com", "/") == "*.example.com /");
  CHECK(route(*table, "api-2.example.com", "/x") == "*.example.com /");
  CHECK(route(*table, "a.b.example.com", "/") == "none");
  CHECK(route(*table, "example.com", "/") == "none");
  CHECK(route(*table, ".example.com", "/") == "none");
  CHECK(route(*table, "aexample.com", "/") == "none");
}

TEST_CASE("route table: wildcard pools are flagged whatever the caller said") {
  Pool exact = make_pool("example.com", "/");
  exact.wildcard = true;
  Pool wildcard = make_pool("*.example.com", "/");
  wildcard.wildcard = false;
  const auto table = RouteTable::build({exact, wildcard});
  const auto pools = table->pools_by_host();
  REQUIRE(pools.size() == 2);
  CHECK(pools[0]->host == "*.example.com");
  CHECK(pools[0]->wildcard);
  CHECK_FALSE(pools[1]->wildcard);
  CHECK(route(*table, "example.com", "/") == "example.com /");
}

TEST_CASE("route table: higher priority wins over exact host and longer path") {
  SECTION("wildcard with higher priority beats exact host") {
    const auto table = RouteTable::build(
        {make_pool("api.example.com", "/", 0), make_pool("*.example.com", "/", 10)});
    CHECK(route(*table, "api.example.com", "/") == "*.example.com /");
  }
  SECTION("shorter path with higher priority beats longer path") {
    const auto table = RouteTable::build(
        {make_pool("example.com", "/api/v1", 0), make_pool("example.com", "/api", 5)});
    CHECK(route(*table, "example.com", "/api/v1/users") == "example.com /api");
  }
  SECTION("negative priority loses to the default") {
    const auto table = RouteTable::build(
        {make_pool("example.com", "/api", -1), make_pool("example.com", "/", 0)});
    CHECK(route(*table, "example.com", "/api") == "example.com /");
  }
  SECTION("exact host with higher priority beats a wildcard's longer path") {
    const auto table = RouteTable::build(
        {make_pool("*.example.com", "/api/v2", 1), make_pool("api.example.com", "/", 2)});
    CHECK(route(*table, "api.example.com", "/api/v2") == "api.example.com /");
  }
}

TEST_CASE("route table: exact host wins over wildcard at equal priority") {
  const auto table = RouteTable::build(
      {make_pool("*.example.com", "/api/long/path", 3), make_pool("api.example.com", "/", 3)});
  CHECK(route(*table, "api.example.com", "/api/long/path") == "api.example.com /");
  CHECK(route(*table, "web.example.com", "/api/long/path") == "*.example.com /api/long/path");
}

TEST_CASE("route table: longest path wins at equal priority") {
  const auto table = RouteTable::build({make_pool("example.com", "/"),
                                        make_pool("example.com", "/api"),
                                        make_pool("example.com", "/api/v1")});
  CHECK(route(*table, "example.com", "/api/v1/users") == "example.com /api/v1");
  CHECK(route(*table, "example.com", "/api/v1") == "example.com /api/v1");
  CHECK(route(*table, "example.com", "/api/v2") == "example.com /api");
  CHECK(route(*table, "example.com", "/apix") == "example.com /");
  CHECK(route(*table, "example.com", "/") == "example.com /");
}

TEST_CASE("route table: a miss on the best exact path falls back to the wildcard") {
  const auto table = RouteTable::build(
      {make_pool("api.example.com", "/admin", 0), make_pool("*.example.com", "/", 0)});
  CHECK(route(*table, "api.example.com", "/admin/users") == "api.example.com /admin");
  CHECK(route(*table, "api.example.com", "/public") == "*.example.com /");
}

TEST_CASE("route table: no match gives nullptr") {
  SECTION("empty table") {
    const auto table = RouteTable::build({});
    CHECK(table->match("example.com", "/") == nullptr);
    CHECK(table->pools().empty());
  }
  SECTION("known host, no matching path") {
    const auto table = RouteTable::build({make_pool("example.com", "/api")});
    CHECK(table->match("example.com", "/apix") == nullptr);
    CHECK(table->match("example.com", "/") == nullptr);
  }
  SECTION("empty host") {
    const auto table = RouteTable::build({make_pool("example.com", "/")});
    CHECK(table->match("", "/") == nullptr);
  }
}

TEST_CASE("route table: pools by host are sorted by host and then in match order") {
  const auto table = RouteTable::build({
      make_pool("b.example.com", "/"),
      make_pool("a.example.com", "/x", 0),
      make_pool("a.example.com", "/", 0),
      make_pool("a.example.com", "/y", 0),
      make_pool("a.example.com", "/long/path", 0),
      make_pool("a.example.com", "/low", -5),
      make_pool("a.example.com", "/", 7),
      make_pool("*.example.com", "/"),
  });
  std::vector<std::string> order;
  for (const Pool* pool : table->pools_by_host()) {
    order.push_back(pool->host + " " + pool->path + " " + std::to_string(pool->priority));
  }
  CHECK(order == std::vector<std::string>{
                     "*.example.com / 0",
                     "a.example.com / 7",
                     "a.example.com /long/path 0",
                     "a.example.com /x 0",
                     "a.example.com /y 0",
                     "a.example.com / 0",
                     "a.example.com /low -5",
                     "b.example.com / 0",
                 });
}

TEST_CASE("route table: path prefixes match on segment boundaries") {
  CHECK(path_prefix_matches("/api", "/api"));
  CHECK(path_prefix_matches("/api", "/api/"));
  CHECK(path_prefix_matches("/api", "/api/x"));
  CHECK(path_prefix_matches("/api", "/api?page=2"));
  CHECK_FALSE(path_prefix_matches("/api", "/apix"));
  CHECK_FALSE(path_prefix_matches("/api", "/ap"));
  CHECK_FALSE(path_prefix_matches("/api", "/"));
  CHECK_FALSE(path_prefix_matches("/api", "/API"));

  CHECK(path_prefix_matches("/api/", "/api/"));
  CHECK(path_prefix_matches("/api/", "/api/x"));
  CHECK_FALSE(path_prefix_matches("/api/", "/api"));

  CHECK(path_prefix_matches("/", "/"));
  CHECK(path_prefix_matches("/", "/anything"));
  CHECK(path_prefix_matches("/", "/apix/y"));
}

TEST_CASE("route table: host normalisation strips port and trailing dot and lower-cases") {
  CHECK(normalize_host("example.com") == "example.com");
  CHECK(normalize_host("Example.COM") == "example.com");
  CHECK(normalize_host("example.com:8080") == "example.com");
  CHECK(normalize_host("example.com:") == "example.com");
  CHECK(normalize_host("example.com.") == "example.com");
  CHECK(normalize_host("WWW.Example.com.:443") == "www.example.com");
  CHECK(normalize_host("127.0.0.1:80") == "127.0.0.1");
  CHECK(normalize_host("") == "");
}

TEST_CASE("route table: host normalisation handles IPv6 literals") {
  CHECK(normalize_host("[::1]:80") == "::1");
  CHECK(normalize_host("[::1]") == "::1");
  CHECK(normalize_host("[2001:DB8::1]:8443") == "2001:db8::1");
  CHECK(normalize_host("2001:db8::1") == "2001:db8::1");
  CHECK(normalize_host("[::1") == "::1");
}

TEST_CASE("route table: normalised hosts find their routes") {
  const auto table = RouteTable::build({make_pool("api.example.com", "/")});
  CHECK(route(*table, normalize_host("API.Example.com.:8080"), "/") == "api.example.com /");
}
