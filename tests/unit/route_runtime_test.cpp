#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <thread>

#include "daemon/proxy/route_runtime.hpp"

using reg::proxy::Disposition;
using reg::proxy::RequestOutcome;
using reg::proxy::RouteRuntime;

namespace {

RequestOutcome outcome(Disposition disposition, int status,
                       std::chrono::microseconds latency = std::chrono::milliseconds(1)) {
  RequestOutcome result;
  result.disposition = disposition;
  result.status = status;
  result.latency = latency;
  return result;
}

void serve(RouteRuntime& runtime, unsigned worker, const RequestOutcome& result) {
  runtime.request_started(worker);
  runtime.request_finished(worker, result);
}

}  // namespace

TEST_CASE("route runtime: stats_json has exactly the protocol's fields") {
  const RouteRuntime runtime(2, {});
  const nlohmann::json stats = runtime.stats_json("r7");
  std::set<std::string> keys;
  for (const auto& item : stats.items()) keys.insert(item.key());
  CHECK(keys == std::set<std::string>{"route_id", "requests", "errors", "avg_latency_ms",
                                      "p50_latency_ms", "p95_latency_ms", "p99_latency_ms",
                                      "bytes_sent", "bytes_received", "status_codes",
                                      "rate_limited", "circuit_rejected", "maintenance_hits",
                                      "drain_rejected", "in_flight"});
  CHECK(stats["route_id"] == "r7");
  CHECK(stats["requests"] == 0);
  CHECK(stats["avg_latency_ms"] == 0.0);
  CHECK(stats["p99_latency_ms"] == 0.0);
  CHECK(stats["status_codes"].is_object());
  CHECK(stats["status_codes"].empty());
  CHECK(stats["in_flight"] == 0);
}

TEST_CASE("route runtime: an idle route reports zero everywhere") {
  const RouteRuntime runtime(64, {});
  CHECK(runtime.in_flight() == 0);
  const nlohmann::json stats = runtime.stats_json("r9");
  for (const char* counter : {"requests", "errors", "bytes_sent", "bytes_received", "rate_limited",
                              "circuit_rejected", "maintenance_hits", "drain_rejected",
                              "in_flight"}) {
    CHECK(stats[counter] == 0);
  }
  for (const char* latency : {"avg_latency_ms", "p50_latency_ms", "p95_latency_ms",
                              "p99_latency_ms"}) {
    CHECK(stats[latency] == 0.0);
  }
  CHECK(stats["status_codes"] == nlohmann::json::object());
}

TEST_CASE("route runtime: workers that never served the route add nothing") {
  RouteRuntime runtime(4, {});
  RequestOutcome ok = outcome(Disposition::proxied, 200, std::chrono::milliseconds(8));
  ok.bytes_sent = 10;
  serve(runtime, 2, ok);
  serve(runtime, 2, ok);
  runtime.request_started(3);

  const nlohmann::json stats = runtime.stats_json("r1");
  CHECK(stats["requests"] == 2);
  CHECK(stats["bytes_sent"] == 20);
  CHECK(stats["status_codes"] == nlohmann::json{{"200", 2}});
  CHECK(stats["avg_latency_ms"] == 8.0);
  CHECK(stats["in_flight"] == 1);
}

TEST_CASE("route runtime: counters from two workers are merged") {
  RouteRuntime runtime(2, {});
  RequestOutcome ok = outcome(Disposition::proxied, 200);
  ok.bytes_sent = 1000;
  ok.bytes_received = 100;
  serve(runtime, 0, ok);
  serve(runtime, 0, ok);
  serve(runtime, 1, ok);
  serve(runtime, 1, outcome(Disposition::proxied, 404));

  const nlohmann::json stats = runtime.stats_json("r1");
  CHECK(stats["requests"] == 4);
  CHECK(stats["errors"] == 0);
  CHECK(stats["bytes_sent"] == 3000);
  CHECK(stats["bytes_received"] == 300);
  CHECK(stats["status_codes"] == nlohmann::json{{"200", 3}, {"404", 1}});
  CHECK(stats["p50_latency_ms"] == Approx(1.0).epsilon(0.02));
}

TEST_CASE("route runtime: errors count backend failures and backend 5xx only") {
  RouteRuntime runtime(1, {});
  serve(runtime, 0, outcome(Disposition::proxied, 200));
  serve(runtime, 0, outcome(Disposition::proxied, 500));
  serve(runtime, 0, outcome(Disposition::proxied, 503));
  serve(runtime, 0, outcome(Disposition::backend_failure, 502));
  serve(runtime, 0, outcome(Disposition::backend_failure, 504));
  serve(runtime, 0, outcome(Disposition::circuit_rejected, 503));
  serve(runtime, 0, outcome(Disposition::drain_rejected, 503));
  serve(runtime, 0, outcome(Disposition::no_backend, 503));
  serve(runtime, 0, outcome(Disposition::maintenance, 503));

  const nlohmann::json stats = runtime.stats_json("r1");
  CHECK(stats["errors"] == 4);
  CHECK(stats["requests"] == 9);
  CHECK(stats["status_codes"] ==
        nlohmann::json{{"200", 1}, {"500", 1}, {"502", 1}, {"503", 5}, {"504", 1}});
}

TEST_CASE("route runtime: rejections count in their own counters and in requests") {
  RouteRuntime runtime(2, {});
  serve(runtime, 0, outcome(Disposition::rate_limited, 429));
  serve(runtime, 1, outcome(Disposition::rate_limited, 429));
  serve(runtime, 0, outcome(Disposition::circuit_rejected, 503));
  serve(runtime, 1, outcome(Disposition::maintenance, 503));
  serve(runtime, 1, outcome(Disposition::maintenance, 200));
  serve(runtime, 0, outcome(Disposition::drain_rejected, 503));
  serve(runtime, 0, outcome(Disposition::proxy_rejected, 413));

  const nlohmann::json stats = runtime.stats_json("r2");
  CHECK(stats["requests"] == 7);
  CHECK(stats["errors"] == 0);
  CHECK(stats["rate_limited"] == 2);
  CHECK(stats["circuit_rejected"] == 1);
  CHECK(stats["maintenance_hits"] == 2);
  CHECK(stats["drain_rejected"] == 1);
  CHECK(stats["status_codes"] ==
        nlohmann::json{{"200", 1}, {"413", 1}, {"429", 2}, {"503", 3}});
}

TEST_CASE("route runtime: latency describes requests that reached a backend") {
  RouteRuntime runtime(1, {});
  serve(runtime, 0, outcome(Disposition::proxied, 200, std::chrono::milliseconds(10)));
  serve(runtime, 0, outcome(Disposition::backend_failure, 504, std::chrono::milliseconds(30)));
  serve(runtime, 0, outcome(Disposition::rate_limited, 429, std::chrono::microseconds(3)));

  const nlohmann::json stats = runtime.stats_json("r1");
  CHECK(stats["avg_latency_ms"] == 20.0);
  CHECK(stats["p50_latency_ms"] == Approx(10.0).epsilon(0.02));
  CHECK(stats["p99_latency_ms"] == Approx(30.0).epsilon(0.02));
}

TEST_CASE("route runtime: latencies are milliseconds with at most three decimals") {
  RouteRuntime runtime(1, {});
  serve(runtime, 0, outcome(Disposition::proxied, 200, std::chrono::microseconds(1234)));
  serve(runtime, 0, outcome(Disposition::proxied, 200, std::chrono::microseconds(1235)));

  const double average = runtime.stats_json("r1")["avg_latency_ms"];
  CHECK(average == 1.235);
  const double p50 = runtime.stats_json("r1")["p50_latency_ms"];
  CHECK(p50 * 1000 == Approx(std::round(p50 * 1000)).margin(1e-9));
}

TEST_CASE("route runtime: statuses outside 100-599 count as requests only") {
  RouteRuntime runtime(1, {});
  serve(runtime, 0, outcome(Disposition::proxied, 0));
  serve(runtime, 0, outcome(Disposition::proxied, 99));
  serve(runtime, 0, outcome(Disposition::proxied, 600));
  serve(runtime, 0, outcome(Disposition::proxied, 100));
  serve(runtime, 0, outcome(Disposition::proxied, 599));

  const nlohmann::json stats = runtime.stats_json("r1");
  CHECK(stats["requests"] == 5);
  CHECK(stats["status_codes"] == nlohmann::json{{"100", 1}, {"599", 1}});
  CHECK(stats["errors"] == 2);
}

TEST_CASE("route runtime: uncommon status codes are reported exactly") {
  RouteRuntime runtime(2, {});
  for (const int status : {101, 102, 207, 207, 226, 300, 418, 451, 499, 505, 511}) {
    serve(runtime, 0, outcome(Disposition::proxied, status));
  }
  serve(runtime, 1, outcome(Disposition::proxied, 207));
  serve(runtime, 1, outcome(Disposition::proxied, 200));
  serve(runtime, 1, outcome(Disposition::proxied, 299));
  serve(runtime, 1, outcome(Disposition::proxy_rejected, 431));

  const nlohmann::json stats = runtime.stats_json("r1");
  CHECK(stats["requests"] == 15);
  CHECK(stats["status_codes"] == nlohmann::json{{"101", 1}, {"102", 1}, {"200", 1}, {"207", 3},
                                                {"226", 1}, {"299", 1}, {"300", 1}, {"418", 1},
                                                {"431", 1}, {"451", 1}, {"499", 1}, {"505", 1},
                                                {"511", 1}});
  CHECK(stats["errors"] == 2);
}

TEST_CASE("route runtime: in_flight follows started and finished requests") {
  RouteRuntime runtime(2, {});
  CHECK(runtime.in_flight() == 0);
  runtime.request_started(0);
  runtime.request_started(1);
  runtime.request_started(1);
  CHECK(runtime.in_flight() == 3);
  CHECK(runtime.stats_json("r1")["in_flight"] == 3);
  CHECK(runtime.stats_json("r1")["requests"] == 0);

  runtime.request_finished(1, outcome(Disposition::proxied, 200));
  CHECK(runtime.in_flight() == 2);
  runtime.request_finished(0, outcome(Disposition::proxied, 200));
  runtime.request_finished(1, outcome(Disposition::proxied, 200));
  CHECK(runtime.in_flight() == 0);
  CHECK(runtime.stats_json("r1")["requests"] == 3);
}

TEST_CASE("route runtime: workers write concurrently while a reader merges") {
  constexpr int kRequestsPerWorker = 20'000;
  RouteRuntime runtime(2, {});
  // The reader merges from before the workers allocate and publish their slots
  // and status blocks (the uncommon 418) until both are done.
  std::atomic<bool> reading{false};
  std::atomic<int> working{2};
  const auto work = [&](unsigned worker) {
    while (!reading.load()) std::this_thread::yield();
    for (int i = 0; i < kRequestsPerWorker; ++i) {
      const int status = i % 10 == 0 ? 500 : i % 10 == 5 ? 418 : 200;
      RequestOutcome result = outcome(Disposition::proxied, status);
      result.bytes_sent = 1;
      serve(runtime, worker, result);
    }
    working.fetch_sub(1);
  };
  std::thread first(work, 0u);
  std::thread second(work, 1u);
  reading.store(true);
  int merges = 0;
  do {
    const nlohmann::json stats = runtime.stats_json("r1");
    REQUIRE(stats["in_flight"] >= 0);
    REQUIRE(stats["requests"] <= 2 * kRequestsPerWorker);
    ++merges;
  } while (working.load() > 0);
  CHECK(merges > 1);
  first.join();
  second.join();

  const nlohmann::json stats = runtime.stats_json("r1");
  CHECK(stats["requests"] == 2 * kRequestsPerWorker);
  CHECK(stats["bytes_sent"] == 2 * kRequestsPerWorker);
  CHECK(stats["errors"] == 2 * kRequestsPerWorker / 10);
  CHECK(stats["status_codes"] == nlohmann::json{{"200", 2 * kRequestsPerWorker * 8 / 10},
                                                {"418", 2 * kRequestsPerWorker / 10},
                                                {"500", 2 * kRequestsPerWorker / 10}});
  CHECK(stats["in_flight"] == 0);
}
