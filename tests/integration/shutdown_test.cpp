// Graceful shutdown (README "regd's flags", man/regd.8 SIGNALS): on SIGTERM
// requests in flight finish, control clients get SHUTDOWN, new connections
// are refused, /healthz turns 503 while requests drain, and regd exits 0
// within --shutdown-timeout.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>

#include "common/client_connection.hpp"
#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"

namespace reg::test {
namespace {

using namespace std::chrono_literals;

// A route from a.com/ to `backend`, applied.
void route_to(Control& control, const HttpBackend& backend) {
  const auto session = control.register_session("svc", "i1", persistent_lease);
  control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
}

std::future<HttpResponse> request_in_background(const RegdProcess& regd, Milliseconds timeout) {
  return std::async(std::launch::async, [&regd, timeout] { return http_get(regd.proxy(), "a.com", "/", {}, timeout); });
}

bool exited_with_zero(std::optional<int> status) { return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0; }

}  // namespace

TEST_CASE("shutdown: SIGTERM lets a request in flight finish with the backend's answer", "[shutdown]") {
  RegdProcess regd({"--shutdown-timeout", "30s"});
  HttpBackend slow("slow", 200, 3000ms);
  Control control(regd.control());
  route_to(control, slow);

  auto in_flight = request_in_background(regd, 30'000ms);
  REQUIRE(eventually([&] { return slow.request_count() == 1; }));
  REQUIRE(::kill(regd.pid(), SIGTERM) == 0);

  CHECK(control.next_line() == "SHUTDOWN");
  CHECK(control.closed_by_server());
  // The backend still holds the answer: regd is draining.
  CHECK(eventually([&] { return http_get(regd.admin(), "localhost", "/healthz").status == 503; }, 2000ms));
  CHECK(in_flight.wait_for(0s) == std::future_status::timeout);
  const auto healthz = http_get(regd.admin(), "localhost", "/healthz");
  CHECK(healthz.body == "shutting down\n");
  CHECK_FALSE(ClientConnection::connect(regd.control(), 1000ms).ok());
  const auto refused = http_get(regd.proxy(), "a.com", "/", {}, 1000ms);
  INFO(refused.summary());
  CHECK(refused.status == 0);

  const auto answered = in_flight.get();
  INFO(answered.summary());
  CHECK(answered.status == 200);
  CHECK(answered.body == "backend:slow");
  CHECK(exited_with_zero(regd.wait_for_exit(10'000ms)));
}

TEST_CASE("shutdown: a request that outlives --shutdown-timeout is cut and regd exits 0", "[shutdown]") {
  RegdProcess regd({"--shutdown-timeout", "1s"});
  HttpBackend stuck("stuck", 200, 60'000ms);
  Control control(regd.control());
  route_to(control, stuck);

  auto in_flight = request_in_background(regd, 60'000ms);
  REQUIRE(eventually([&] { return stuck.request_count() == 1; }));
  REQUIRE(::kill(regd.pid(), SIGTERM) == 0);

  // Far below the backend's minute: regd did not wait for it.
  CHECK(exited_with_zero(regd.wait_for_exit(15'000ms)));
  REQUIRE(in_flight.wait_for(5s) == std::future_status::ready);
  const auto cut = in_flight.get();
  INFO(cut.summary());
  CHECK(cut.status == 0);
}

TEST_CASE("shutdown: with nothing in flight regd exits 0 at once and /healthz answered 200 before", "[shutdown]") {
  RegdProcess regd({"--shutdown-timeout", "30s"});
  REQUIRE(http_get(regd.admin(), "localhost", "/healthz").status == 200);

  REQUIRE(::kill(regd.pid(), SIGTERM) == 0);
  // Nothing to drain: well before the 30 s timeout.
  CHECK(exited_with_zero(regd.wait_for_exit(10'000ms)));
}

}  // namespace reg::test
