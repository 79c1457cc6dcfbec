// The admin port's /metrics page (README "Metrics") against real traffic
// through regd to real backends, read the way Prometheus reads it.
#include <catch2/catch.hpp>

#include <string>

#include "common/version.hpp"
#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/metrics_scrape.hpp"
#include "support/regd_process.hpp"

namespace reg::test {
namespace {

const std::string kBounds[] = {"0.001", "0.005", "0.01", "0.025", "0.05", "0.1",
                               "0.25",  "0.5",   "1",    "2.5",   "5",    "10", "+Inf"};

}  // namespace

TEST_CASE("metrics: a route's counters equal the requests sent through it") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  // A quote and a backslash in a name show up escaped in the labels.
  const auto session = control.register_session("shop", R"(eu "1"\a)", persistent_lease);
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  // Its domains show sorted, the same on every scrape.
  const auto idle = control.add_route(session, "c.com,b.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  KeepAliveHttpClient client(regd.proxy());
  for (int i = 0; i < 6; ++i) REQUIRE(client.get("a.com", "/").status == 200);
  backend.set_status(500);
  for (int i = 0; i < 4; ++i) REQUIRE(client.get("a.com", "/").status == 500);

  const std::string labels = "route=\"" + route + R"(",service="shop",instance="eu \"1\"\\a")";
  const auto series = [&](std::string_view name, std::string_view extra = "") {
    return std::string(name) + "{" + labels + std::string(extra) + "}";
  };
  REQUIRE(eventually([&] {
    return MetricsScrape::fetch(regd.admin()).value(series("regd_route_request_duration_seconds_count")) == 10;
  }));
  const auto metrics = MetricsScrape::fetch(regd.admin());

  CHECK(metrics.type("regd_route_requests_total") == "counter");
  CHECK(metrics.value(series("regd_route_requests_total", ",code=\"2xx\"")) == 6);
  CHECK(metrics.value(series("regd_route_requests_total", ",code=\"5xx\"")) == 4);
  CHECK_FALSE(metrics.value(series("regd_route_requests_total", ",code=\"4xx\"")));
  CHECK(metrics.value(series("regd_route_errors_total")) == 4);
  CHECK(metrics.value(series("regd_route_rate_limited_total")) == 0);
  CHECK(metrics.value(series("regd_route_in_flight_requests")) == 0);
  CHECK(metrics.value(series("regd_route_sent_bytes_total")) > 0);
  CHECK(metrics.value(series("regd_route_received_bytes_total")) > 0);
  CHECK(metrics.value(series("regd_route_info", ",domains=\"a.com\",path=\"/\",backend=\"" + backend.url() + "\"")) ==
        1);

  CHECK(metrics.type("regd_route_request_duration_seconds") == "histogram");
  double previous = 0;
  for (const auto& bound : kBounds) {
    INFO("le=" << bound);
    const auto bucket = metrics.value(series("regd_route_request_duration_seconds_bucket", ",le=\"" + bound + "\""));
    REQUIRE(bucket);
    CHECK(*bucket >= previous);
    previous = *bucket;
  }
  CHECK(previous == 10);
  CHECK(metrics.value(series("regd_route_request_duration_seconds_sum")) > 0);

  // A route that served nothing has its info and no request series yet.
  const std::string idle_labels = "route=\"" + idle + R"(",service="shop",instance="eu \"1\"\\a")";
  CHECK_FALSE(metrics.value("regd_route_errors_total{" + idle_labels + "}"));
  CHECK(metrics.value("regd_route_info{" + idle_labels + ",domains=\"b.com,c.com\",path=\"/\",backend=\"" +
                      backend.url() + "\"}") == 1);

  CHECK(metrics.value("regd_build_info{version=\"" + version() + "\"}") == 1);
  CHECK(metrics.value("regd_routes_active") == 2);
  CHECK(metrics.value("regd_config_applies_total") == 1);
  CHECK(metrics.value(R"(regd_sessions{state="attached"})") == 1);
  CHECK(metrics.value(R"(regd_sessions{state="detached"})") == 0);
  CHECK(metrics.value("regd_control_connections") == 1);
  CHECK(metrics.value("regd_events_dropped_total") == 0);
}

TEST_CASE("metrics: session states, drains, breakers and health show in gauges") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control persistent(regd.control());
  const auto operator_session = persistent.register_session("ops", "o1", persistent_lease);
  const auto route = persistent.add_route(operator_session, "a.com", "/", backend.url());
  REQUIRE(persistent.send("CIRCUIT_BREAKER_SET|" + operator_session + "|" + route + "|3|30s|1") == "CIRCUIT_OK");
  REQUIRE(persistent.send("HEALTH_SET|" + operator_session + "|" + route + "|/health|1s|500ms") == "HEALTH_OK");
  REQUIRE(persistent.send("CONFIG_APPLY|" + operator_session) == "OK");
  REQUIRE(persistent.send("DRAIN_START|" + operator_session + "|1h").rfind("DRAIN_OK|", 0) == 0);
  {
    Control leased(regd.control());
    leased.register_session("web", "w1");
  }
  const std::string labels = "{route=\"" + route + R"(",service="ops",instance="o1"})";

  REQUIRE(eventually([&] {
    return MetricsScrape::fetch(regd.admin()).value(R"(regd_sessions{state="detached"})") == 1;
  }));
  const auto metrics = MetricsScrape::fetch(regd.admin());
  CHECK(metrics.value(R"(regd_sessions{state="attached"})") == 1);
  CHECK(metrics.value("regd_sessions_draining") == 1);
  CHECK(metrics.value("regd_sessions_in_maintenance") == 0);
  CHECK(metrics.value("regd_route_circuit_state" + labels) == 0);
  CHECK(metrics.value("regd_route_backend_healthy" + labels) == 1);
  const auto share = metrics.value("regd_route_traffic_percent" + labels);
  REQUIRE(share);
  CHECK(*share > 99);
  CHECK(*share <= 100);
}

}  // namespace reg::test
