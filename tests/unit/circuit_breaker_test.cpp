#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "daemon/proxy/circuit_breaker.hpp"

using reg::proxy::CircuitAdmission;
using reg::proxy::CircuitBreaker;
using reg::proxy::CircuitSnapshot;
using reg::proxy::CircuitState;
using reg::proxy::CircuitTransition;
using namespace std::chrono_literals;

namespace {

const CircuitBreaker::SteadyTime kStart = CircuitBreaker::SteadyTime{} + 1000h;
// The wall-clock reading that goes with kStart in snapshots.
const CircuitBreaker::SystemTime kWallStart = CircuitBreaker::SystemTime{} + 500'000h;

constexpr CircuitTransition kOpened{CircuitState::closed, CircuitState::open};
constexpr CircuitTransition kTrying{CircuitState::open, CircuitState::half_open};
constexpr CircuitTransition kClosed{CircuitState::half_open, CircuitState::closed};
constexpr CircuitTransition kReopened{CircuitState::half_open, CircuitState::open};

CircuitSnapshot snapshot_at(const CircuitBreaker& breaker, CircuitBreaker::SteadyTime now) {
  return breaker.snapshot(now, kWallStart + (now - kStart));
}

// A request admitted at `now` that then failed.
std::optional<CircuitTransition> fail_one(CircuitBreaker& breaker, CircuitBreaker::SteadyTime now) {
  const CircuitAdmission admission = breaker.try_acquire(now);
  REQUIRE(admission.allowed);
  return breaker.record_failure(admission, now);
}

std::optional<CircuitTransition> succeed_one(CircuitBreaker& breaker, CircuitBreaker::SteadyTime now) {
  const CircuitAdmission admission = breaker.try_acquire(now);
  REQUIRE(admission.allowed);
  return breaker.record_success(admission, now);
}

// Opens a fresh breaker with `threshold` failures at kStart.
void open_at_start(CircuitBreaker& breaker, int threshold) {
  for (int i = 1; i < threshold; ++i) REQUIRE_FALSE(fail_one(breaker, kStart));
  REQUIRE(fail_one(breaker, kStart) == kOpened);
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<CircuitTransition> {
  static std::string convert(const CircuitTransition& transition) {
    return std::string(circuit_state_name(transition.from)) + " -> " +
           std::string(circuit_state_name(transition.to));
  }
};
}  // namespace Catch

TEST_CASE("circuit breaker: state names are the protocol's") {
  CHECK(circuit_state_name(CircuitState::closed) == "closed");
  CHECK(circuit_state_name(CircuitState::open) == "open");
  CHECK(circuit_state_name(CircuitState::half_open) == "half_open");
}

TEST_CASE("circuit breaker: opens after `threshold` consecutive failures and not before") {
  CircuitBreaker breaker(3, 30s, 2);
  CHECK(breaker.state(kStart) == CircuitState::closed);
  CHECK_FALSE(fail_one(breaker, kStart));
  CHECK_FALSE(fail_one(breaker, kStart + 1s));
  CHECK(breaker.state(kStart + 1s) == CircuitState::closed);
  CHECK(snapshot_at(breaker, kStart + 1s).failures == 2);
  CHECK(fail_one(breaker, kStart + 2s) == kOpened);
  CHECK(breaker.state(kStart + 2s) == CircuitState::open);
}

TEST_CASE("circuit breaker: a success between failures starts the count again") {
  CircuitBreaker breaker(3, 30s, 2);
  CHECK_FALSE(fail_one(breaker, kStart));
  CHECK_FALSE(fail_one(breaker, kStart));
  CHECK_FALSE(succeed_one(breaker, kStart));
  CHECK(snapshot_at(breaker, kStart).failures == 0);
  CHECK_FALSE(fail_one(breaker, kStart));
  CHECK_FALSE(fail_one(breaker, kStart));
  CHECK(breaker.state(kStart) == CircuitState::closed);
  CHECK(fail_one(breaker, kStart) == kOpened);
}

TEST_CASE("circuit breaker: fails fast while open, until the timeout has passed") {
  CircuitBreaker breaker(1, 30s, 2);
  open_at_start(breaker, 1);
  for (const auto later : {0s, 1s, 29s}) {
    CHECK_FALSE(breaker.try_acquire(kStart + later).allowed);
  }
  CHECK_FALSE(breaker.try_acquire(kStart + 30s - 1ms).allowed);
  CHECK(breaker.state(kStart + 30s - 1ms) == CircuitState::open);
  // Due: it reads as half open, and the first request turns it so.
  CHECK(breaker.state(kStart + 30s) == CircuitState::half_open);
  const CircuitAdmission trial = breaker.try_acquire(kStart + 30s);
  CHECK(trial.allowed);
  CHECK(trial.transition == kTrying);
}

TEST_CASE("circuit breaker: half open admits exactly `half_open_requests` trials") {
  CircuitBreaker breaker(1, 10s, 3);
  open_at_start(breaker, 1);
  int allowed = 0;
  int transitions = 0;
  for (int i = 0; i < 10; ++i) {
    const CircuitAdmission admission = breaker.try_acquire(kStart + 10s + i * 1s);
    allowed += admission.allowed ? 1 : 0;
    transitions += admission.transition ? 1 : 0;
  }
  CHECK(allowed == 3);
  CHECK(transitions == 1);
  CHECK(breaker.state(kStart + 20s) == CircuitState::half_open);
}

TEST_CASE("circuit breaker: closes when every trial succeeds") {
  CircuitBreaker breaker(2, 10s, 3);
  open_at_start(breaker, 2);
  std::vector<CircuitAdmission> trials;
  for (int i = 0; i < 3; ++i) trials.push_back(breaker.try_acquire(kStart + 10s));
  CHECK_FALSE(breaker.record_success(trials[0], kStart));
  CHECK_FALSE(breaker.record_success(trials[1], kStart));
  CHECK(snapshot_at(breaker, kStart + 11s).successes == 2);
  CHECK(breaker.record_success(trials[2], kStart) == kClosed);
  CHECK(breaker.state(kStart + 11s) == CircuitState::closed);
  const CircuitSnapshot snapshot = snapshot_at(breaker, kStart + 11s);
  CHECK(snapshot.failures == 0);
  CHECK(snapshot.successes == 0);
  // Closed again, it needs the full threshold to open.
  CHECK_FALSE(fail_one(breaker, kStart + 12s));
  CHECK(fail_one(breaker, kStart + 12s) == kOpened);
}

TEST_CASE("circuit breaker: one failed trial opens it again with a new timeout") {
  CircuitBreaker breaker(5, 10s, 3);
  open_at_start(breaker, 5);
  const CircuitAdmission first = breaker.try_acquire(kStart + 10s);
  const CircuitAdmission second = breaker.try_acquire(kStart + 10s);
  CHECK_FALSE(breaker.record_success(first, kStart));
  CHECK(breaker.record_failure(second, kStart + 12s) == kReopened);
  CHECK(snapshot_at(breaker, kStart + 12s).failures == 1);
  CHECK_FALSE(breaker.try_acquire(kStart + 22s - 1ms).allowed);
  const CircuitAdmission retry = breaker.try_acquire(kStart + 22s);
  CHECK(retry.allowed);
  CHECK(retry.transition == kTrying);
}

TEST_CASE("circuit breaker: outcomes of requests from an earlier round are ignored") {
  CircuitBreaker breaker(2, 10s, 1);
  // Admitted while closed, answered only after the circuit opened...
  const CircuitAdmission slow_success = breaker.try_acquire(kStart);
  const CircuitAdmission slow_failure = breaker.try_acquire(kStart);
  open_at_start(breaker, 2);
  CHECK_FALSE(breaker.record_failure(slow_failure, kStart + 1s));
  // ...or after it turned half open: not a trial, so it cannot close it.
  const CircuitAdmission trial = breaker.try_acquire(kStart + 10s);
  REQUIRE(trial.allowed);
  CHECK_FALSE(breaker.record_success(slow_success, kStart));
  CHECK(breaker.state(kStart + 11s) == CircuitState::half_open);
  CHECK(snapshot_at(breaker, kStart + 11s).successes == 0);
  CHECK(breaker.record_success(trial, kStart) == kClosed);
}

TEST_CASE("circuit breaker: an abandoned trial gives its place back") {
  CircuitBreaker breaker(1, 10s, 1);
  open_at_start(breaker, 1);
  const CircuitAdmission trial = breaker.try_acquire(kStart + 10s);
  REQUIRE(trial.allowed);
  CHECK_FALSE(breaker.try_acquire(kStart + 10s).allowed);
  breaker.record_abandoned(trial);
  const CircuitAdmission next = breaker.try_acquire(kStart + 11s);
  REQUIRE(next.allowed);
  CHECK_FALSE(next.transition);
  CHECK(breaker.record_success(next, kStart) == kClosed);
}

TEST_CASE("circuit breaker: reset closes it and zeroes the counters") {
  CircuitBreaker breaker(2, 10s, 1);
  CHECK_FALSE(fail_one(breaker, kStart));
  CHECK_FALSE(breaker.reset(kStart));  // closed already: no transition
  CHECK(snapshot_at(breaker, kStart).failures == 0);

  const CircuitAdmission in_flight = breaker.try_acquire(kStart);
  open_at_start(breaker, 2);
  CHECK(breaker.reset(kStart) == CircuitTransition{CircuitState::open, CircuitState::closed});
  CHECK(breaker.state(kStart + 1s) == CircuitState::closed);
  CHECK(breaker.try_acquire(kStart + 1s).allowed);
  // A request from before the reset does not count after it.
  CHECK_FALSE(breaker.record_failure(in_flight, kStart + 2s));
  CHECK(snapshot_at(breaker, kStart + 2s).failures == 0);

  open_at_start(breaker, 2);
  REQUIRE(breaker.try_acquire(kStart + 10s).transition == kTrying);
  CHECK(breaker.reset(kStart) == CircuitTransition{CircuitState::half_open, CircuitState::closed});
}

TEST_CASE("circuit breaker: snapshot") {
  CircuitBreaker breaker(2, 30s, 2);
  CircuitSnapshot snapshot = snapshot_at(breaker, kStart);
  CHECK(snapshot.state == CircuitState::closed);
  CHECK(snapshot.failures == 0);
  CHECK(snapshot.successes == 0);
  CHECK_FALSE(snapshot.last_failure);
  CHECK_FALSE(snapshot.next_attempt);

  CHECK_FALSE(fail_one(breaker, kStart + 5s));
  snapshot = snapshot_at(breaker, kStart + 6s);
  CHECK(snapshot.failures == 1);
  CHECK(snapshot.last_failure == kWallStart + 5s);

  CHECK(fail_one(breaker, kStart + 7s) == kOpened);
  snapshot = snapshot_at(breaker, kStart + 8s);
  CHECK(snapshot.state == CircuitState::open);
  CHECK(snapshot.failures == 2);
  CHECK(snapshot.last_failure == kWallStart + 7s);
  CHECK(snapshot.next_attempt == kWallStart + 37s);

  // Due but not yet tried: shown half open, no next attempt.
  snapshot = snapshot_at(breaker, kStart + 40s);
  CHECK(snapshot.state == CircuitState::half_open);
  CHECK_FALSE(snapshot.next_attempt);

  CHECK_FALSE(succeed_one(breaker, kStart + 40s));
  snapshot = snapshot_at(breaker, kStart + 41s);
  CHECK(snapshot.state == CircuitState::half_open);
  CHECK(snapshot.successes == 1);
  CHECK(snapshot.failures == 0);

  // The last failure is history: a reset keeps it.
  breaker.reset(kStart);
  snapshot = snapshot_at(breaker, kStart + 42s);
  CHECK(snapshot.state == CircuitState::closed);
  CHECK(snapshot.last_failure == kWallStart + 7s);
}

TEST_CASE("circuit breaker: concurrent callers see each transition exactly once") {
  const int threads = 4;
  const int half_open_requests = 10;
  CircuitBreaker breaker(100, 10s, half_open_requests);
  // Runs `body(thread)` on every thread at once; returns the transitions seen.
  const auto run = [&](auto body) {
    std::vector<std::vector<CircuitTransition>> seen(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) workers.emplace_back([&, t] { body(t, seen[t]); });
    for (auto& worker : workers) worker.join();
    std::vector<CircuitTransition> all;
    for (const auto& list : seen) all.insert(all.end(), list.begin(), list.end());
    return all;
  };

  // 4 × 100 failures against a threshold of 100: one opening.
  std::vector<CircuitAdmission> admitted_closed;
  for (int i = 0; i < threads * 100; ++i) admitted_closed.push_back(breaker.try_acquire(kStart));
  auto transitions = run([&](int t, std::vector<CircuitTransition>& seen) {
    for (int i = t; i < threads * 100; i += threads) {
      if (auto change = breaker.record_failure(admitted_closed[i], kStart)) seen.push_back(*change);
    }
  });
  CHECK(transitions == std::vector<CircuitTransition>{kOpened});

  // After the timeout, many requests race: one turns it half open, ten pass.
  std::vector<std::vector<CircuitAdmission>> trials(threads);
  transitions = run([&](int t, std::vector<CircuitTransition>& seen) {
    for (int i = 0; i < 100; ++i) {
      const CircuitAdmission admission = breaker.try_acquire(kStart + 10s);
      if (admission.transition) seen.push_back(*admission.transition);
      if (admission.allowed) trials[t].push_back(admission);
    }
  });
  CHECK(transitions == std::vector<CircuitTransition>{kTrying});
  std::size_t trial_count = 0;
  for (const auto& list : trials) trial_count += list.size();
  CHECK(trial_count == half_open_requests);

  // The trials succeed on their threads: one closing.
  transitions = run([&](int t, std::vector<CircuitTransition>& seen) {
    for (const auto& trial : trials[t]) {
      if (auto change = breaker.record_success(trial, kStart)) seen.push_back(*change);
    }
  });
  CHECK(transitions == std::vector<CircuitTransition>{kClosed});
  CHECK(breaker.state(kStart + 10s) == CircuitState::closed);
}

TEST_CASE("circuit breaker: under random concurrent traffic every transition is seen once") {
  // Each state is left as often as it is entered, except where the run starts
  // (closed) and ends; a transition seen twice or missed breaks the balance.
  const int threads = 4;
  CircuitBreaker breaker(3, 5ms, 2);
  std::atomic<std::int64_t> clock_ms{0};
  std::vector<std::vector<CircuitTransition>> seen(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::uint64_t random = 0x9e3779b97f4a7c15u * (t + 1);
      for (int i = 0; i < 20'000; ++i) {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        const auto now = kStart + std::chrono::milliseconds(clock_ms.fetch_add(random % 2));
        const CircuitAdmission admission = breaker.try_acquire(now);
        if (admission.transition) seen[t].push_back(*admission.transition);
        if (!admission.allowed) continue;
        std::optional<CircuitTransition> change;
        const std::uint64_t outcome = (random >> 8) % 5;
        if (outcome < 2) {
          change = breaker.record_failure(admission, now);
        } else if (outcome == 2) {
          breaker.record_abandoned(admission);
        } else {
          change = breaker.record_success(admission, now);
        }
        if (change) seen[t].push_back(*change);
      }
    });
  }
  for (auto& worker : workers) worker.join();

  std::map<CircuitState, int> balance;
  std::size_t count = 0;
  for (const auto& list : seen) {
    for (const CircuitTransition& transition : list) {
      const bool legal = transition == kOpened || transition == kTrying || transition == kClosed ||
                         transition == kReopened;
      CHECK(legal);
      --balance[transition.from];
      ++balance[transition.to];
      ++count;
    }
  }
  INFO(count << " transitions");
  CHECK(count > 10);
  // At a time before any timeout ends, state() is the state last entered.
  const CircuitState final_state = breaker.state(kStart);
  std::map<CircuitState, int> expected;
  --expected[CircuitState::closed];
  ++expected[final_state];
  for (const CircuitState state : {CircuitState::closed, CircuitState::open, CircuitState::half_open}) {
    CHECK(balance[state] == expected[state]);
  }
}
