// PROTOCOL.md §8 and the proxy side of §4-§5: real HTTP through regd to real
// backends.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/client_connection.hpp"
#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/free_port.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"
#include "support/scoped_environment.hpp"
#include "support/test_pki.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;

using namespace std::chrono_literals;

// What the proxy answered as one comparable string: the body of a 200
// ("backend:A"), else the status and body, or why there was no answer.
std::string answer(const RegdProcess& regd, std::string_view host, std::string_view target) {
  const auto response = http_get(regd.proxy(), host, target);
  return response.status == 200 ? response.body : response.summary();
}

bool was_requested(const HttpBackend& backend, std::string_view target) {
  const auto requests = backend.requests();
  return std::any_of(requests.begin(), requests.end(),
                     [&](const auto& request) { return request.target == target; });
}

}  // namespace

TEST_CASE("proxy: traffic flows only after CONFIG_APPLY") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());

  CHECK(http_get(regd.proxy(), "a.com", "/").status == 404);
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(answer(regd, "a.com", "/") == "backend:A");
  CHECK(http_get(regd.proxy(), "unknown.com", "/").status == 404);

  REQUIRE(control.send("ROUTE_REMOVE|" + session + "|" + route) == "ROUTE_OK");
  CHECK(answer(regd, "a.com", "/") == "backend:A");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 404);
}

TEST_CASE("proxy: an exact host wins over a wildcard of one label") {
  RegdProcess regd;
  HttpBackend exact("exact");
  HttpBackend wildcard("wildcard");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "*.a.com", "/", wildcard.url());
  control.add_route(session, "api.a.com", "/", exact.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  CHECK(answer(regd, "api.a.com", "/") == "backend:exact");
  CHECK(answer(regd, "www.a.com", "/") == "backend:wildcard");
  CHECK(http_get(regd.proxy(), "x.www.a.com", "/").status == 404);
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 404);
}

TEST_CASE("proxy: priority comes before host kind and path length") {
  RegdProcess regd;
  HttpBackend low("low");
  HttpBackend high("high");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto api = control.add_route(session, "a.com", "/api", low.url(), 0);
  control.add_route(session, "a.com", "/", high.url(), 10);
  control.add_route(session, "x.b.com", "/", low.url(), 0);
  control.add_route(session, "*.b.com", "/", high.url(), 5);
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  CHECK(answer(regd, "a.com", "/api/x") == "backend:high");
  CHECK(answer(regd, "x.b.com", "/") == "backend:high");

  REQUIRE(control.send("ROUTE_UPDATE|" + session + "|" + api + "|priority|20") == "ROUTE_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(answer(regd, "a.com", "/api/x") == "backend:low");
}

TEST_CASE("proxy: the longest path prefix wins on segment boundaries") {
  RegdProcess regd;
  HttpBackend root("root");
  HttpBackend api("api");
  HttpBackend v2("v2");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", root.url());
  control.add_route(session, "a.com", "/api", api.url());
  control.add_route(session, "a.com", "/api/v2", v2.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  CHECK(answer(regd, "a.com", "/api") == "backend:api");
  CHECK(answer(regd, "a.com", "/api/") == "backend:api");
  CHECK(answer(regd, "a.com", "/api/x") == "backend:api");
  CHECK(answer(regd, "a.com", "/api?x=1") == "backend:api");
  CHECK(answer(regd, "a.com", "/apix") == "backend:root");
  CHECK(answer(regd, "a.com", "/ap") == "backend:root");
  CHECK(answer(regd, "a.com", "/") == "backend:root");
  CHECK(answer(regd, "a.com", "/api/v2/users") == "backend:v2");
  CHECK(answer(regd, "a.com", "/api/v20") == "backend:api");
}

TEST_CASE("proxy: a path is routed and forwarded in normal form, so no spelling reaches another route's backend") {
  RegdProcess regd;
  HttpBackend api("api");
  HttpBackend admin("admin");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/api", api.url());
  control.add_route(session, "a.com", "/admin", admin.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  for (const char* spelling : {"/api/../admin/x", "/api/%2e%2e/admin/x", "//admin/x", "/%61dmin/./x", "/admin//x"}) {
    INFO(spelling);
    CHECK(answer(regd, "a.com", spelling) == "backend:admin");
    CHECK(admin.last_request()->target == "/admin/x");
  }
  // The query is forwarded as sent; escapes of reserved characters too.
  CHECK(answer(regd, "a.com", "/api/./v1/a%2Fb?next=/../x") == "backend:api");
  CHECK(api.last_request()->target == "/api/v1/a%2Fb?next=/../x");

  const auto served = api.request_count() + admin.request_count();
  for (const char* refused : {"/../admin", "/api/../../admin", "/api/%zz"}) {
    INFO(refused);
    CHECK(http_get(regd.proxy(), "a.com", refused).status == 400);
  }
  CHECK(api.request_count() + admin.request_count() == served);
}

TEST_CASE("proxy: the Host header matches without port trailing dot or case") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  for (const auto* host : {"a.com", "A.COM", "A.Com:8080", "a.com.", "a.com.:80"}) {
    INFO("Host: " << host);
    CHECK(answer(regd, host, "/") == "backend:A");
  }
}

TEST_CASE("proxy: sessions serving the same host and path share one pool") {
  RegdProcess regd;
  HttpBackend a("A");
  HttpBackend b("B");
  Control control(regd.control());
  const auto first = control.register_session("web", "i1");
  const auto second = control.register_session("web", "i2");
  const auto route_a = control.add_route(first, "a.com", "/", a.url());
  control.add_route(second, "a.com", "/", b.url());
  REQUIRE(control.send("CONFIG_APPLY|" + first) == "OK");
  REQUIRE(control.send("CONFIG_APPLY|" + second) == "OK");

  auto answers = spread(regd.proxy(), "a.com", 20);
  INFO("backend:A " << answers["backend:A"] << ", backend:B " << answers["backend:B"]);
  CHECK(answers["backend:A"] + answers["backend:B"] == 20);
  CHECK(answers["backend:A"] >= 5);
  CHECK(answers["backend:B"] >= 5);

  REQUIRE(control.send("OPTIONS_SET|" + first + "|" + route_a + "|weight|300") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + first) == "OK");
  answers = spread(regd.proxy(), "a.com", 40);
  INFO("weighted: backend:A " << answers["backend:A"] << ", backend:B " << answers["backend:B"]);
  CHECK(answers["backend:A"] + answers["backend:B"] == 40);
  CHECK(answers["backend:A"] >= 2 * answers["backend:B"]);
  CHECK(answers["backend:B"] >= 5);
}

TEST_CASE("proxy: a backend joining with slow_start gets a small share at first") {
  RegdProcess regd;
  HttpBackend old_hand("A");
  HttpBackend newcomer("B");
  Control control(regd.control());
  const auto first = control.register_session("web", "i1");
  const auto second = control.register_session("web", "i2");
  control.add_route(first, "a.com", "/", old_hand.url());
  REQUIRE(control.send("CONFIG_APPLY|" + first) == "OK");
  control.add_route(second, "a.com", "/", newcomer.url());
  REQUIRE(control.send("OPTIONS_SET|" + second + "|ALL|slow_start|10m") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + second) == "OK");

  // Weights 100 : 10 while the newcomer warms up (equal weights would split 11 : 11).
  const auto answers = spread(regd.proxy(), "a.com", 22);
  CHECK(answers == std::map<std::string, int>{{"backend:A", 20}, {"backend:B", 2}});
}

TEST_CASE("proxy: a detached session's backend leaves the rotation until it reconnects") {
  RegdProcess regd;
  HttpBackend a("A");
  HttpBackend b("B");
  Control control(regd.control());
  auto holder = std::make_unique<Control>(regd.control());
  const auto detaching = holder->register_session("web", "i1");
  holder->add_route(detaching, "a.com", "/", a.url());
  REQUIRE(holder->send("CONFIG_APPLY|" + detaching) == "OK");
  const auto staying = control.register_session("web", "i2", persistent_lease);
  control.add_route(staying, "a.com", "/", b.url());
  REQUIRE(control.send("CONFIG_APPLY|" + staying) == "OK");
  REQUIRE(spread(regd.proxy(), "a.com", 10)["backend:A"] > 0);

  holder.reset();
  REQUIRE(eventually([&] { return control.session_state(detaching) == "detached"; }));
  CHECK(spread(regd.proxy(), "a.com", 10)["backend:B"] == 10);

  Control reconnected(regd.control());
  REQUIRE(reconnected.send("RECONNECT|" + detaching) == "OK");
  CHECK(spread(regd.proxy(), "a.com", 10)["backend:A"] > 0);
}

TEST_CASE("proxy: a route whose only backend is detached answers 503") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control observer(regd.control());
  std::string session;
  {
    Control holder(regd.control());
    session = holder.register_session("svc", "i1");
    holder.add_route(session, "a.com", "/", backend.url());
    REQUIRE(holder.send("CONFIG_APPLY|" + session) == "OK");
    REQUIRE(answer(regd, "a.com", "/") == "backend:A");
  }
  REQUIRE(eventually([&] { return observer.session_state(session) == "detached"; }));
  CHECK(http_get(regd.proxy(), "a.com", "/").status == 503);
}

TEST_CASE("proxy: forwarding headers reach the backend") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(http_get(regd.proxy(), "a.com", "/path?q=1").status == 200);
  auto request = backend.last_request();
  REQUIRE(request);
  CHECK(request->method == "GET");
  CHECK(request->target == "/path?q=1");
  CHECK(request->header("Host") == "a.com");
  CHECK(request->header("X-Forwarded-For") == "127.0.0.1");
  CHECK(request->header("X-Real-IP") == "127.0.0.1");
  CHECK(request->header("X-Forwarded-Proto") == "http");
  CHECK(request->header("X-Forwarded-Host") == "a.com");

  REQUIRE(http_get(regd.proxy(), "a.com", "/", {{"X-Forwarded-For", "203.0.113.9"}}).status == 200);
  CHECK(backend.last_request()->header("X-Forwarded-For") == "203.0.113.9, 127.0.0.1");

  REQUIRE(control.send("OPTIONS_SET|" + session + "|" + route + "|preserve_host|false") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(http_get(regd.proxy(), "a.com", "/").status == 200);
  request = backend.last_request();
  CHECK_THAT(request->header("Host"), StartsWith("127.0.0.1"));
  CHECK(request->header("X-Forwarded-Host") == "a.com");
}

TEST_CASE("proxy: HEADERS_SET adds headers to responses") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  control.add_route(session, "b.com", "/", backend.url());
  REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-Env|prod") == "HEADERS_OK");
  REQUIRE(control.send("HEADERS_SET|" + session + "|" + route + "|X-Env|staging") == "HEADERS_OK");
  REQUIRE(control.send("HEADERS_SET|" + session + "|" + route + "|X-Choice|a|b") == "HEADERS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  auto response = http_get(regd.proxy(), "a.com", "/");
  CHECK(response.header("X-Env") == "staging");
  CHECK(response.header("X-Choice") == "a|b");
  CHECK(response.header("X-Backend") == "A");
  response = http_get(regd.proxy(), "b.com", "/");
  CHECK(response.header("X-Env") == "prod");
  CHECK(response.header("X-Choice") == "");

  REQUIRE(control.send("HEADERS_REMOVE|" + session + "|" + route + "|X-Env") == "HEADERS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(http_get(regd.proxy(), "a.com", "/").header("X-Env") == "prod");
}

TEST_CASE("proxy: strip_prefix removes the route path before the backend's base path") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto api = control.add_route(session, "a.com", "/api", backend.url());
  const auto based = control.add_route(session, "b.com", "/svc", backend.url() + "/base");
  control.add_route(session, "c.com", "/", backend.url() + "/base");
  REQUIRE(control.send("OPTIONS_SET|" + session + "|" + api + "|strip_prefix|true") == "OPTIONS_OK");
  REQUIRE(control.send("OPTIONS_SET|" + session + "|" + based + "|strip_prefix|true") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(answer(regd, "a.com", "/api/users?x=1") == "backend:A");
  CHECK(backend.last_request()->target == "/users?x=1");
  REQUIRE(answer(regd, "a.com", "/api") == "backend:A");
  CHECK(backend.last_request()->target == "/");
  REQUIRE(answer(regd, "b.com", "/svc/users") == "backend:A");
  CHECK(backend.last_request()->target == "/base/users");
  REQUIRE(answer(regd, "c.com", "/x") == "backend:A");
  CHECK(backend.last_request()->target == "/base/x");
}

TEST_CASE("proxy: 502 when the backend cannot be reached") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", "http://127.0.0.1:" + std::to_string(free_loopback_port()));
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  CHECK(http_get(regd.proxy(), "a.com", "/").status == 502);
}

namespace {

// How many of `count` requests with `method` over one connection got each status.
std::map<int, int> statuses(const RegdProcess& regd, std::string_view method, int count) {
  KeepAliveHttpClient client(regd.proxy());
  std::map<int, int> counts;
  for (int i = 0; i < count; ++i) ++counts[client.send(method, "a.com", "/", method == "GET" ? "" : "body").status];
  return counts;
}

}  // namespace

TEST_CASE("proxy: retries take idempotent requests to another backend after a connect failure") {
  RegdProcess regd;
  HttpBackend live("B");
  Control control(regd.control());
  const auto down = control.register_session("web", "i1");
  const auto up = control.register_session("web", "i2");
  control.add_route(down, "a.com", "/", "http://127.0.0.1:" + std::to_string(free_loopback_port()));
  control.add_route(up, "a.com", "/", live.url());
  REQUIRE(control.send("CONFIG_APPLY|" + down) == "OK");
  REQUIRE(control.send("CONFIG_APPLY|" + up) == "OK");

  // Round robin over two backends: every other request meets the dead one.
  CHECK(statuses(regd, "GET", 10) == std::map<int, int>{{200, 5}, {502, 5}});

  REQUIRE(control.send("OPTIONS_SET|" + down + "|ALL|retries|1") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + down) == "OK");
  CHECK(statuses(regd, "GET", 10) == std::map<int, int>{{200, 10}});
  CHECK(statuses(regd, "PUT", 4) == std::map<int, int>{{200, 4}});
  CHECK(live.last_request()->method == "PUT");
  // POST may not be repeated: the dead backend's share still fails.
  CHECK(statuses(regd, "POST", 10) == std::map<int, int>{{200, 5}, {502, 5}});
}

// regd trusts what OpenSSL's SSL_CERT_FILE names, as BACKEND_TEST does.
TEST_CASE("proxy: https backends are reached over TLS verified against the trust store") {
  TestPki pki;
  HttpBackend secure("S", pki.server_context("server"));
  HttpBackend impostor("I", pki.server_context("stranger"));
  ScopedEnvironment environment;
  environment.set("SSL_CERT_FILE", pki.ca());
  environment.set("SSL_CERT_DIR", std::nullopt);
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", secure.url() + "/base");
  control.add_route(session, "b.com", "/", impostor.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  KeepAliveHttpClient client(regd.proxy());
  for (int i = 0; i < 3; ++i) {
    const auto response = client.get("a.com", "/x");
    CHECK(response.summary() == "200 backend:S");
  }
  CHECK(secure.connection_count() == 1);  // kept alive and reused by the worker
  CHECK(secure.last_request()->target == "/base/x");
  CHECK(secure.last_request()->header("Host") == "a.com");

  const auto refused = http_get(regd.proxy(), "b.com", "/");
  CHECK(refused.status == 502);
  CHECK_THAT(refused.body, Catch::Matchers::Contains("certificate verify failed: IP address mismatch"));
  CHECK(impostor.request_count() == 0);
}

TEST_CASE("proxy: an https backend signed by an untrusted CA gets 502") {
  TestPki pki;
  HttpBackend secure("S", pki.server_context("server"));
  ScopedEnvironment environment;
  environment.set("SSL_CERT_FILE", std::nullopt);
  environment.set("SSL_CERT_DIR", std::nullopt);
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", secure.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  const auto response = http_get(regd.proxy(), "a.com", "/");
  CHECK(response.status == 502);
  CHECK_THAT(response.body, Catch::Matchers::Contains("certificate verify failed"));
  CHECK(secure.request_count() == 0);
}

TEST_CASE("proxy: 504 when the backend answers later than the timeout") {
  RegdProcess regd;
  HttpBackend slow("slow", 200, 1000ms);
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", slow.url());
  REQUIRE(control.send("OPTIONS_SET|" + session + "|" + route + "|timeout|200ms") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  CHECK(http_get(regd.proxy(), "a.com", "/").status == 504);
}

TEST_CASE("proxy: an answer or a timeout that finds its client gone counts no status the client never got") {
  RegdProcess regd;
  HttpBackend slow("slow", 200, 2500ms);
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto answering = control.add_route(session, "a.com", "/", slow.url());
  const auto timing_out = control.add_route(session, "b.com", "/", slow.url());
  REQUIRE(control.send("OPTIONS_SET|" + session + "|" + timing_out + "|timeout|1500ms") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  for (const char* host : {"a.com", "b.com"}) {
    auto client = ClientConnection::connect(regd.proxy(), 5000ms);
    REQUIRE(client);
    REQUIRE(client->send_raw("GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n"));
    std::this_thread::sleep_for(200ms);
  }  // both clients give up
  const auto stats_of = [&](const std::string& route) {
    return reply_json(control.send("STATS_GET|" + session + "|" + route), "STATS_OK");
  };
  REQUIRE(eventually([&] { return stats_of(answering)["in_flight"] == 0 && stats_of(timing_out)["in_flight"] == 0; }));
  const auto answered = stats_of(answering);
  CHECK(answered["requests"] == 1);
  CHECK(answered["status_codes"].empty());
  CHECK(answered["bytes_sent"] == 0);
  CHECK(answered["errors"] == 0);
  const auto timed_out = stats_of(timing_out);
  CHECK(timed_out["status_codes"].empty());
  CHECK(timed_out["errors"] == 1);  // the backend's failure still counts

  // A client that waits gets its answer.
  CHECK(answer(regd, "a.com", "/") == "backend:slow");
}

TEST_CASE("proxy: maintenance answers with the built-in page") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(control.send("MAINT_ENTER|" + session + "|ALL") == "ACK");
  REQUIRE(control.next_line() == "MAINT_OK|ALL");
  const auto served_before = backend.request_count();
  auto response = http_get(regd.proxy(), "a.com", "/");
  CHECK(response.status == 503);
  CHECK(response.header("X-Maintenance-Mode") == "true");
  CHECK(response.header("Retry-After") != "");
  CHECK(backend.request_count() == served_before);

  // ALL covers routes applied later, too.
  control.add_route(session, "b.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  CHECK(http_get(regd.proxy(), "b.com", "/").status == 503);

  REQUIRE(control.send("MAINT_EXIT|" + session + "|ALL") == "ACK");
  REQUIRE(control.next_line() == "MAINT_OK|ALL");
  CHECK(answer(regd, "a.com", "/") == "backend:A");
  CHECK(answer(regd, "b.com", "/") == "backend:A");
}

TEST_CASE("proxy: maintenance answers for a route whose backend is down or drained") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  // Down: nothing listens there, and the open circuit keeps it out of rotation.
  const auto down = control.add_route(session, "down.com", "/", "http://127.0.0.1:" + std::to_string(free_loopback_port()));
  control.add_route(session, "drained.com", "/", backend.url());
  REQUIRE(control.send("CIRCUIT_BREAKER_SET|" + session + "|" + down + "|1|60s|1") == "CIRCUIT_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|drain_completed") == "SUBSCRIBE_OK");
  CHECK(http_get(regd.proxy(), "down.com", "/").status == 502);
  REQUIRE_THAT(control.send("DRAIN_START|" + session + "|1s"), StartsWith("DRAIN_OK|"));
  REQUIRE_THAT(control.next_line(20s), StartsWith("EVENT|drain_completed|"));

  REQUIRE(control.send("MAINT_ENTER|" + session + "|ALL") == "ACK");
  REQUIRE(control.next_line() == "MAINT_OK|ALL");
  for (const char* host : {"down.com", "drained.com"}) {
    INFO(host);
    const auto response = http_get(regd.proxy(), host, "/");
    CHECK(response.status == 503);
    CHECK(response.header("X-Maintenance-Mode") == "true");
    CHECK(response.header("Retry-After") != "");
  }
}

TEST_CASE("proxy: maintenance sends requests to the maintenance backend as they came") {
  RegdProcess regd;
  HttpBackend backend("A");
  HttpBackend maintenance_page("maint");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(control.send("MAINT_ENTER|" + session + "|" + route + "|" + maintenance_page.url()) == "ACK");
  REQUIRE(control.next_line() == "MAINT_OK|" + route);
  const auto served_before = backend.request_count();
  const auto response = http_get(regd.proxy(), "a.com", "/shop/cart?item=7");
  CHECK(response.status == 200);
  CHECK(response.body == "backend:maint");
  CHECK(response.header("X-Maintenance-Mode") == "true");
  CHECK(was_requested(maintenance_page, "/shop/cart?item=7"));
  CHECK(backend.request_count() == served_before);
}

TEST_CASE("proxy: over the rate limit the proxy answers 429 with Retry-After") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("RATELIMIT_SET|" + session + "|" + route + "|2|60s") == "RATELIMIT_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  KeepAliveHttpClient client(regd.proxy());
  int served = 0;
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 6; ++i) {
    const auto response = client.get("a.com", "/");
    if (response.status == 200) ++served;
    if (response.status == 429) {
      ++limited;
      retry_after = response.header("Retry-After");
    }
  }
  CHECK(served >= 1);
  CHECK(served <= 2);
  CHECK(limited == 6 - served);
  CHECK(retry_after != "");
}

TEST_CASE("proxy: a finished drain of a lone backend answers 503 with Retry-After") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + session + "|drain_completed") == "SUBSCRIBE_OK");

  REQUIRE_THAT(control.send("DRAIN_START|" + session + "|1s"), StartsWith("DRAIN_OK|"));
  REQUIRE_THAT(control.next_line(20s), StartsWith("EVENT|drain_completed|"));
  const auto response = http_get(regd.proxy(), "a.com", "/");
  CHECK(response.status == 503);
  CHECK(response.header("Retry-After") != "");

  REQUIRE(control.send("DRAIN_CANCEL|" + session) == "DRAIN_OK");
  CHECK(answer(regd, "a.com", "/") == "backend:A");
}

TEST_CASE("proxy: a drained instance's traffic moves to the other instances") {
  RegdProcess regd;
  HttpBackend a("A");
  HttpBackend b("B");
  Control control(regd.control());
  const auto draining = control.register_session("web", "i1");
  const auto staying = control.register_session("web", "i2");
  control.add_route(draining, "a.com", "/", a.url());
  control.add_route(staying, "a.com", "/", b.url());
  REQUIRE(control.send("CONFIG_APPLY|" + draining) == "OK");
  REQUIRE(control.send("CONFIG_APPLY|" + staying) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + draining + "|drain_completed") == "SUBSCRIBE_OK");

  REQUIRE_THAT(control.send("DRAIN_START|" + draining + "|1s"), StartsWith("DRAIN_OK|"));
  REQUIRE_THAT(control.next_line(20s), StartsWith("EVENT|drain_completed|"));
  CHECK(spread(regd.proxy(), "a.com", 10)["backend:B"] == 10);
}

TEST_CASE("proxy: applies under continuous traffic fail no request") {
  RegdProcess regd;
  HttpBackend a("A");
  HttpBackend b("B");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1", persistent_lease);
  const auto route = control.add_route(session, "a.com", "/", a.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  std::atomic<int> sent{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  const auto record = [&](const HttpResponse& response) {
    ++sent;
    if (response.status >= 200 && response.status < 300) return;
    std::lock_guard lock(failures_mutex);
    failures.push_back(response.summary());
  };
  {
    std::jthread keep_alive([&](std::stop_token stop) {
      KeepAliveHttpClient client(regd.proxy());
      while (!stop.stop_requested()) record(client.get("a.com", "/"));
    });
    std::jthread new_connections([&](std::stop_token stop) {
      while (!stop.stop_requested()) record(http_get(regd.proxy(), "a.com", "/"));
    });
    for (int apply = 0; apply < 20; ++apply) {
      const auto& next = apply % 2 == 0 ? b : a;
      REQUIRE(control.send("ROUTE_UPDATE|" + session + "|" + route + "|backend_url|" + next.url()) ==
              "ROUTE_OK");
      REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
      const int before = sent;
      REQUIRE(eventually([&] { return sent >= before + 10; }));
    }
  }

  std::string first_failures;
  for (std::size_t i = 0; i < std::min<std::size_t>(failures.size(), 5); ++i)
    first_failures += failures[i] + "; ";
  INFO(sent << " requests, " << failures.size() << " failed: " << first_failures);
  CHECK(failures.empty());
  CHECK(a.request_count() > 0);
  CHECK(b.request_count() > 0);
}

}  // namespace reg::test
