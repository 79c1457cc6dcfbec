#include "daemon/proxy/load_balancer.hpp"

#include "daemon/proxy/backend_health.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/route_runtime.hpp"

#include <map>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

namespace reg::proxy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Verdict = BackendChoice::Verdict;

const SystemTime kNow = SystemTime{} + std::chrono::hours(24 * 365 * 50);
const SteadyTime kSteadyNow = SteadyTime{} + std::chrono::hours(1);

BackendEntry backend(std::string route_id, int weight = 100) {
  BackendEntry entry;
  entry.route_id = std::move(route_id);
  entry.options.weight = weight;
  return entry;
}

DrainWindow drain_at(double fraction) {
  // A 100 s drain whose share at kNow is `fraction`.
  const auto elapsed = milliseconds(static_cast<long>((1.0 - fraction) * 100'000));
  return DrainWindow{kNow - elapsed, milliseconds(100'000)};
}

Pool pool_of(std::vector<BackendEntry> entries) {
  Pool pool;
  pool.host = "example.com";
  pool.path = "/";
  pool.backends = std::move(entries);
  return pool;
}

// Route id -> how often it was chosen (forwarded) in `requests` picks.
std::map<std::string, int> tally(LoadBalancer& balancer, const Pool& pool, int requests) {
  std::map<std::string, int> counts;
  for (int i = 0; i < requests; ++i) {
    const BackendChoice choice = balancer.choose(pool, kNow, kSteadyNow);
    if (choice.verdict == Verdict::forward) ++counts[choice.entry->route_id];
  }
  return counts;
}

}  // namespace

TEST_CASE("equal weights alternate", "[load_balancer]") {
  LoadBalancer balancer;
  const Pool pool = pool_of({backend("r1"), backend("r2")});
  std::string order;
  for (int i = 0; i < 6; ++i) order += balancer.choose(pool, kNow, kSteadyNow).entry->route_id;
  CHECK(order == "r1r2r1r2r1r2");
}

TEST_CASE("weights set the share, spread smoothly", "[load_balancer]") {
  LoadBalancer balancer;
  const Pool pool = pool_of({backend("r1", 300), backend("r2", 100)});
  std::string order;
  for (int i = 0; i < 8; ++i) order += balancer.choose(pool, kNow, kSteadyNow).entry->route_id;
  // Smooth round robin never sends the heavy backend a burst of all its share.
  CHECK(order == "r1r1r2r1r1r1r2r1");
  const auto counts = tally(balancer, pool, 4000);
  CHECK(counts.at("r1") == 3000);
  CHECK(counts.at("r2") == 1000);
}

TEST_CASE("detached backends leave the rotation", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry gone = backend("r1");
  gone.detached = true;
  const Pool pool = pool_of({gone, backend("r2")});
  const auto counts = tally(balancer, pool, 10);
  CHECK(counts.size() == 1);
  CHECK(counts.at("r2") == 10);
}

TEST_CASE("a pool with every backend detached has none", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry first = backend("r1");
  BackendEntry second = backend("r2");
  first.detached = second.detached = true;
  const BackendChoice choice = balancer.choose(pool_of({first, second}), kNow, kSteadyNow);
  CHECK(choice.verdict == Verdict::no_backend);
  CHECK(choice.entry == nullptr);
}

TEST_CASE("with nothing in rotation an open circuit refuses, naming its entry", "[load_balancer]") {
  LoadBalancer balancer;
  auto open_circuit = std::make_shared<CircuitBreaker>(1, seconds(30), 1);
  open_circuit->record_failure(open_circuit->try_acquire(kSteadyNow), kSteadyNow);
  BackendEntry tripped = backend("r2");
  tripped.circuit = open_circuit;

  SECTION("alone") {
    const Pool pool = pool_of({tripped});
    const BackendChoice choice = balancer.choose(pool, kNow, kSteadyNow);
    CHECK(choice.verdict == Verdict::circuit_open);
    CHECK(choice.entry == &pool.backends[0]);
  }
  SECTION("beside a detached backend") {
    BackendEntry gone = backend("r1");
    gone.detached = true;
    const Pool pool = pool_of({gone, tripped});
    const BackendChoice choice = balancer.choose(pool, kNow, kSteadyNow);
    CHECK(choice.verdict == Verdict::circuit_open);
    CHECK(choice.entry == &pool.backends[1]);
  }
  SECTION("a retry that already tried it finds no backend") {
    const Pool pool = pool_of({tripped});
    const std::vector<const BackendEntry*> failed = {&pool.backends[0]};
    CHECK(balancer.choose(pool, kNow, kSteadyNow, failed).verdict == Verdict::no_backend);
  }
  SECTION("a healthy backend beside it takes the request") {
    const Pool pool = pool_of({backend("r1"), tripped});
    CHECK(tally(balancer, pool, 4) == std::map<std::string, int>{{"r1", 4}});
  }
}

TEST_CASE("a lone backend takes every request while it is in rotation", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry only = backend("r1", 1);
  // Early in a slow start its share is small, but nobody else can take the rest.
  only.options.slow_start = seconds(10);
  only.runtime = std::make_shared<RouteRuntime>(1, kSteadyNow);
  Pool pool = pool_of({only});
  CHECK(tally(balancer, pool, 5) == std::map<std::string, int>{{"r1", 5}});

  const std::vector<const BackendEntry*> failed = {&pool.backends[0]};
  CHECK(balancer.choose(pool, kNow, kSteadyNow, failed).verdict == Verdict::no_backend);

  pool.backends[0].detached = true;
  const BackendChoice choice = balancer.choose(pool, kNow, kSteadyNow);
  CHECK(choice.verdict == Verdict::no_backend);
  CHECK(choice.entry == nullptr);
}

TEST_CASE("a draining backend with company loses weight, not requests", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry draining = backend("r1");
  draining.drain = drain_at(0.5);
  const Pool pool = pool_of({draining, backend("r2")});
  const auto counts = tally(balancer, pool, 3000);
  CHECK(counts.at("r1") == 1000);
  CHECK(counts.at("r2") == 2000);
}

TEST_CASE("a completed drain with company gets nothing", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry drained = backend("r1");
  drained.drain = DrainWindow{kNow - seconds(60), milliseconds(10'000)};
  const Pool pool = pool_of({drained, backend("r2")});
  const auto counts = tally(balancer, pool, 50);
  CHECK(counts.count("r1") == 0);
  CHECK(counts.at("r2") == 50);
}

TEST_CASE("a pool draining alone refuses the drained share", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry alone = backend("r1");

  SECTION("at the start everything passes") {
    alone.drain = drain_at(1.0);
    const auto counts = tally(balancer, pool_of({alone}), 100);
    CHECK(counts.at("r1") == 100);
  }
  SECTION("half way, exactly every other request passes") {
    alone.drain = drain_at(0.5);
    const Pool pool = pool_of({alone});
    std::string verdicts;
    for (int i = 0; i < 6; ++i) {
      verdicts += balancer.choose(pool, kNow, kSteadyNow).verdict == Verdict::forward ? 'F' : 'R';
    }
    CHECK(verdicts == "FRFRFR");
  }
  SECTION("a quarter of the traffic is left") {
    alone.drain = drain_at(0.25);
    const auto counts = tally(balancer, pool_of({alone}), 1000);
    CHECK(counts.at("r1") == 250);
  }
  SECTION("after completion every request is refused, charged to the route") {
    alone.drain = DrainWindow{kNow - seconds(60), milliseconds(10'000)};
    const Pool pool = pool_of({alone});
    for (int i = 0; i < 5; ++i) {
      const BackendChoice choice = balancer.choose(pool, kNow, kSteadyNow);
      CHECK(choice.verdict == Verdict::drain_rejected);
      REQUIRE(choice.entry != nullptr);
      CHECK(choice.entry->route_id == "r1");
    }
  }
}

TEST_CASE("backends draining alike share what their pool admits, and its refusals", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry first = backend("r1");
  BackendEntry second = backend("r2");
  first.drain = second.drain = drain_at(0.5);
  const Pool pool = pool_of({first, second});
  std::map<std::string, int> forwarded, refused;
  for (int i = 0; i < 40; ++i) {
    const BackendChoice choice = balancer.choose(pool, kNow, kSteadyNow);
    REQUIRE(choice.entry != nullptr);
    ++(choice.verdict == Verdict::forward ? forwarded : refused)[choice.entry->route_id];
  }
  CHECK(forwarded == std::map<std::string, int>{{"r1", 10}, {"r2", 10}});
  CHECK(refused == std::map<std::string, int>{{"r1", 10}, {"r2", 10}});
}

TEST_CASE("a detached backend does not keep a drained pool company", "[load_balancer]") {
  LoadBalancer balancer;
  BackendEntry drained = backend("r1");
  drained.drain = DrainWindow{kNow - seconds(60), milliseconds(10'000)};
  BackendEntry gone = backend("r2");
  gone.detached = true;
  CHECK(balancer.choose(pool_of({drained, gone}), kNow, kSteadyNow).verdict == Verdict::drain_rejected);
}

TEST_CASE("state follows the pool, and forget_pools starts over", "[load_balancer]") {
  LoadBalancer balancer;
  const Pool first = pool_of({backend("r1"), backend("r2")});
  const Pool second = pool_of({backend("r3"), backend("r4")});
  CHECK(balancer.choose(first, kNow, kSteadyNow).entry->route_id == "r1");
  CHECK(balancer.choose(second, kNow, kSteadyNow).entry->route_id == "r3");
  CHECK(balancer.choose(first, kNow, kSteadyNow).entry->route_id == "r2");
  balancer.forget_pools();
  CHECK(balancer.choose(first, kNow, kSteadyNow).entry->route_id == "r1");
}

TEST_CASE("excluded backends count as out of rotation", "[load_balancer]") {
  LoadBalancer balancer;
  const Pool pool = pool_of({backend("r1"), backend("r2"), backend("r3")});
  const std::vector<const BackendEntry*> failed = {&pool.backends[0], &pool.backends[2]};
  for (int i = 0; i < 4; ++i) CHECK(balancer.choose(pool, kNow, kSteadyNow, failed).entry->route_id == "r2");
  const std::vector<const BackendEntry*> all = {&pool.backends[0], &pool.backends[1], &pool.backends[2]};
  CHECK(balancer.choose(pool, kNow, kSteadyNow, all).verdict == Verdict::no_backend);
}

namespace {

// A backend with a 10 s slow start whose route was applied at `joined_at`.
BackendEntry slow_starter(std::string route_id, SteadyTime joined_at) {
  BackendEntry entry = backend(std::move(route_id));
  entry.options.slow_start = seconds(10);
  entry.runtime = std::make_shared<RouteRuntime>(1, joined_at);
  return entry;
}

// Route id -> picks out of `requests`, all at `now`.
std::map<std::string, int> tally_at(const Pool& pool, SteadyTime now, int requests) {
  LoadBalancer balancer;
  std::map<std::string, int> counts;
  for (int i = 0; i < requests; ++i) ++counts[balancer.choose(pool, kNow, now).entry->route_id];
  return counts;
}

}  // namespace

TEST_CASE("slow start ramps a joining backend from 10 % to its full weight", "[load_balancer]") {
  const Pool pool = pool_of({backend("r1"), slow_starter("r2", kSteadyNow)});
  // Weights 100 : 10 at first, 100 : 55 halfway, 100 : 100 after the ramp.
  CHECK(tally_at(pool, kSteadyNow, 1100) == std::map<std::string, int>{{"r1", 1000}, {"r2", 100}});
  CHECK(tally_at(pool, kSteadyNow + seconds(5), 1550) == std::map<std::string, int>{{"r1", 1000}, {"r2", 550}});
  CHECK(tally_at(pool, kSteadyNow + seconds(10), 200) == std::map<std::string, int>{{"r1", 100}, {"r2", 100}});
  CHECK(tally_at(pool, kSteadyNow + seconds(60), 200) == std::map<std::string, int>{{"r1", 100}, {"r2", 100}});
}

TEST_CASE("without slow start a joining backend gets its full weight at once", "[load_balancer]") {
  BackendEntry joining = slow_starter("r2", kSteadyNow);
  joining.options.slow_start = seconds(0);
  const Pool pool = pool_of({backend("r1"), joining});
  CHECK(tally_at(pool, kSteadyNow, 200) == std::map<std::string, int>{{"r1", 100}, {"r2", 100}});
}

TEST_CASE("slow start begins again when a backend recovers", "[load_balancer]") {
  const SteadyTime joined = kSteadyNow - std::chrono::hours(1);
  SECTION("its health check passes again") {
    BackendEntry recovering = slow_starter("r2", joined);
    auto health = std::make_shared<BackendHealth>();
    health->set_healthy(false, kSteadyNow - seconds(30));
    health->set_healthy(true, kSteadyNow);
    recovering.health = health;
    const Pool pool = pool_of({backend("r1"), recovering});
    CHECK(tally_at(pool, kSteadyNow, 1100).at("r2") == 100);
    CHECK(tally_at(pool, kSteadyNow + seconds(10), 200).at("r2") == 100);
  }
  SECTION("its circuit closes") {
    BackendEntry recovering = slow_starter("r2", joined);
    auto circuit = std::make_shared<CircuitBreaker>(1, seconds(5), 1);
    const CircuitAdmission failing = circuit->try_acquire(kSteadyNow - seconds(10));
    circuit->record_failure(failing, kSteadyNow - seconds(10));
    const CircuitAdmission trial = circuit->try_acquire(kSteadyNow);
    REQUIRE(circuit->record_success(trial, kSteadyNow));
    recovering.circuit = circuit;
    const Pool pool = pool_of({backend("r1"), recovering});
    CHECK(tally_at(pool, kSteadyNow, 1100).at("r2") == 100);
  }
  SECTION("a health flap before the route joined changes nothing") {
    BackendEntry steady = slow_starter("r2", joined);
    auto health = std::make_shared<BackendHealth>();
    health->set_healthy(false, joined - seconds(30));
    health->set_healthy(true, joined - seconds(20));
    steady.health = health;
    const Pool pool = pool_of({backend("r1"), steady});
    CHECK(tally_at(pool, kSteadyNow, 200).at("r2") == 100);
  }
}

}  // namespace reg::proxy
