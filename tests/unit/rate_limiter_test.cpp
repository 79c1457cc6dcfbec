#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/proxy/rate_limiter.hpp"

using reg::proxy::RateDecision;
using reg::proxy::RateLimiter;
using namespace std::chrono_literals;

namespace {

// Any steady time works; tests count from one well away from the clock's epoch.
const RateLimiter::SteadyTime kStart = RateLimiter::SteadyTime{} + 1000h;

// Tests that crowd clients into one small table fix the hash key, so whether
// two of them happen to share a tag is the same on every run.
const RateLimiter::HashKey kTestKey = {0x0123456789abcdef, 0xfedcba9876543210};

int allowed_at_once(RateLimiter& limiter, std::string_view client, RateLimiter::SteadyTime now,
                    int attempts) {
  int allowed = 0;
  for (int i = 0; i < attempts; ++i) allowed += limiter.check(client, now).allowed ? 1 : 0;
  return allowed;
}

// One client sends `per_millisecond` requests every millisecond for
// `milliseconds`; returns how many passed in each millisecond.
std::vector<int> admitted_per_millisecond(RateLimiter& limiter, int per_millisecond, int milliseconds) {
  std::vector<int> admitted(milliseconds, 0);
  for (int ms = 0; ms < milliseconds; ++ms) {
    const auto now = kStart + std::chrono::milliseconds(ms);
    admitted[ms] = allowed_at_once(limiter, "198.51.100.7", now, per_millisecond);
  }
  return admitted;
}

// The most requests that passed inside any `window_ms` consecutive milliseconds.
int busiest_window(const std::vector<int>& admitted, int window_ms) {
  int in_window = 0;
  int busiest = 0;
  for (std::size_t ms = 0; ms < admitted.size(); ++ms) {
    in_window += admitted[ms];
    if (ms >= static_cast<std::size_t>(window_ms)) in_window -= admitted[ms - window_ms];
    busiest = std::max(busiest, in_window);
  }
  return busiest;
}

int total(const std::vector<int>& admitted) {
  int sum = 0;
  for (int count : admitted) sum += count;
  return sum;
}

}  // namespace

TEST_CASE("rate limiter: a fresh client sends exactly `requests` at once, then waits a window") {
  RateLimiter limiter(5, 1s);
  for (int i = 0; i < 5; ++i) {
    const RateDecision decision = limiter.check("192.0.2.1", kStart);
    REQUIRE(decision.allowed);
    CHECK(decision.limit == 5);
    CHECK(decision.remaining == 4 - i);
    CHECK(decision.retry_after == 0ms);
  }
  const RateDecision refused = limiter.check("192.0.2.1", kStart);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.remaining == 0);
  CHECK(refused.retry_after == 1000ms);

  // Refusals count for nothing: the wait shrinks with time alone.
  CHECK(limiter.check("192.0.2.1", kStart + 999ms).retry_after == 1ms);
  CHECK(limiter.check("192.0.2.1", kStart + 1000ms).allowed);
  // Then the quota comes back one request per interval (window / requests).
  const RateDecision next = limiter.check("192.0.2.1", kStart + 1000ms);
  CHECK_FALSE(next.allowed);
  CHECK(next.retry_after == 200ms);
  CHECK(limiter.check("192.0.2.1", kStart + 1200ms).allowed);
}

TEST_CASE("rate limiter: no window of the limit's length ever holds more than `requests`") {
  // A client sending every millisecond for six windows, for limits whose
  // interval divides the window evenly and limits whose interval does not.
  struct Limit {
    std::int64_t requests;
    int window_ms;
  };
  const auto limit = GENERATE(Limit{10, 1000}, Limit{3, 1000}, Limit{7, 250}, Limit{1, 100}, Limit{100, 1000},
                              Limit{1000, 1000});
  RateLimiter limiter(limit.requests, std::chrono::milliseconds(limit.window_ms));
  const std::vector<int> admitted = admitted_per_millisecond(limiter, 1, 6 * limit.window_ms);
  INFO(limit.requests << " per " << limit.window_ms << " ms: " << total(admitted) << " passed");
  CHECK(busiest_window(admitted, limit.window_ms) <= limit.requests);
  // And the client still gets its rate: six windows' worth, less what
  // millisecond steps lose against an interval that is not a whole number.
  CHECK(total(admitted) >= 6 * limit.requests * 9 / 10);
}

TEST_CASE("rate limiter: a client sending batches beyond its limit gets at least half of it, never more") {
  // Several requests every millisecond against limits that allow more than one
  // per millisecond: the bound spreads each batch over intervals, so a batch
  // that leaves the bound above the limit shortens the next one.
  struct Batches {
    std::int64_t requests;
    int window_ms;
    int per_millisecond;
  };
  const auto batches = GENERATE(Batches{1000, 500, 4}, Batches{6000, 1000, 8}, Batches{20, 10, 3});
  RateLimiter limiter(batches.requests, std::chrono::milliseconds(batches.window_ms));
  const std::vector<int> admitted =
      admitted_per_millisecond(limiter, batches.per_millisecond, 6 * batches.window_ms);
  INFO(batches.requests << " per " << batches.window_ms << " ms: " << total(admitted) << " passed");
  CHECK(busiest_window(admitted, batches.window_ms) <= batches.requests);
  CHECK(total(admitted) >= 6 * batches.requests / 2);
}

TEST_CASE("rate limiter: a client sending evenly at the limit's rate is never refused") {
  RateLimiter limiter(4, 1s);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(limiter.check("192.0.2.2", kStart + i * 250ms).allowed);
  }
}

TEST_CASE("rate limiter: clients are limited independently") {
  RateLimiter limiter(3, 1min);
  CHECK(allowed_at_once(limiter, "192.0.2.10", kStart, 10) == 3);
  CHECK(allowed_at_once(limiter, "192.0.2.11", kStart, 10) == 3);
  CHECK(allowed_at_once(limiter, "2001:db8::1", kStart, 10) == 3);
  CHECK_FALSE(limiter.check("192.0.2.10", kStart + 1s).allowed);
}

TEST_CASE("rate limiter: header values") {
  // Interval 10 s / 3: the quota's return times are not whole milliseconds,
  // and the headers round up.
  RateLimiter limiter(3, 10s);
  RateDecision decision = limiter.check("192.0.2.20", kStart);
  CHECK(decision.limit == 3);
  CHECK(decision.remaining == 2);
  CHECK(decision.reset_after == 10000ms);
  CHECK(decision.reset_seconds() == 10);

  decision = limiter.check("192.0.2.20", kStart);
  CHECK(decision.remaining == 1);
  CHECK(decision.reset_after == 13334ms);
  CHECK(decision.reset_seconds() == 14);

  decision = limiter.check("192.0.2.20", kStart);
  CHECK(decision.remaining == 0);
  CHECK(decision.reset_after == 16667ms);
  CHECK(decision.reset_seconds() == 17);

  decision = limiter.check("192.0.2.20", kStart + 500ms);
  CHECK_FALSE(decision.allowed);
  CHECK(decision.remaining == 0);
  CHECK(decision.retry_after == 9500ms);
  CHECK(decision.retry_after_seconds() == 10);
  CHECK(decision.reset_after == 16167ms);
  CHECK(decision.reset_seconds() == 17);
}

TEST_CASE("rate limiter: Retry-After is at least one second") {
  RateLimiter limiter(100, 1s);
  CHECK(allowed_at_once(limiter, "192.0.2.30", kStart, 100) == 100);
  CHECK(limiter.check("192.0.2.30", kStart + 1s).allowed);
  const RateDecision refused = limiter.check("192.0.2.30", kStart + 1s);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after == 10ms);
  CHECK(refused.retry_after_seconds() == 1);
}

TEST_CASE("rate limiter: the table has a fixed size") {
  CHECK(RateLimiter(10, 1s).capacity() == RateLimiter::kDefaultMaxClients);
  CHECK(RateLimiter(10, 1s, 1000).capacity() == 1024);
  CHECK(RateLimiter(10, 1s, 1).capacity() == 8);

  RateLimiter limiter(10, 1s, 64, kTestKey);
  for (int i = 0; i < 100'000; ++i) {
    limiter.check("client-" + std::to_string(i), kStart + std::chrono::microseconds(i * 10));
  }
  CHECK(limiter.capacity() == 64);
}

TEST_CASE("rate limiter: a new client takes an idle client's slot before a busy one's") {
  // Eight slots: a single group, so every client competes for the same ones.
  RateLimiter limiter(2, 1s, 8, kTestKey);
  CHECK(allowed_at_once(limiter, "idle", kStart - 5s, 2) == 2);
  for (int i = 0; i < 7; ++i) {
    REQUIRE(allowed_at_once(limiter, "busy-" + std::to_string(i), kStart, 2) == 2);
  }
  // Newcomers cycle through the idle slot, then through each other's: each
  // is closer to idle than the busy clients.
  for (int i = 0; i < 50; ++i) {
    REQUIRE(limiter.check("newcomer-" + std::to_string(i), kStart + 10ms).allowed);
  }
  for (int i = 0; i < 7; ++i) {
    const RateDecision decision = limiter.check("busy-" + std::to_string(i), kStart + 20ms);
    CHECK_FALSE(decision.allowed);
    CHECK(decision.retry_after == 980ms);
  }
}

TEST_CASE("rate limiter: when every slot is busy, the client closest to idle loses its record") {
  RateLimiter limiter(1, 1s, 8, kTestKey);
  for (int i = 0; i < 8; ++i) {
    REQUIRE(limiter.check("client-" + std::to_string(i), kStart + i * 10ms).allowed);
  }
  // client-0 sent first, so it is the closest to idle when the table is full.
  REQUIRE(limiter.check("newcomer", kStart + 100ms).allowed);
  for (int i = 1; i < 8; ++i) {
    CHECK_FALSE(limiter.check("client-" + std::to_string(i), kStart + 110ms).allowed);
  }
  CHECK_FALSE(limiter.check("newcomer", kStart + 110ms).allowed);
  // Forgotten, client-0 starts afresh.
  CHECK(limiter.check("client-0", kStart + 110ms).allowed);
}

TEST_CASE("rate limiter: a busy client keeps its record while thousands of others pass through") {
  RateLimiter limiter(5, 1s, 8, kTestKey);
  REQUIRE(allowed_at_once(limiter, "busy", kStart, 5) == 5);
  for (int i = 0; i < 10'000; ++i) {
    limiter.check("passer-by-" + std::to_string(i), kStart + std::chrono::microseconds(i * 40));
  }
  const RateDecision decision = limiter.check("busy", kStart + 400ms);
  CHECK_FALSE(decision.allowed);
  CHECK(decision.retry_after == 600ms);
}

TEST_CASE("rate limiter: a client idle for a long time starts afresh") {
  RateLimiter limiter(3, 1s);
  REQUIRE(allowed_at_once(limiter, "192.0.2.40", kStart, 3) == 3);
  // Long enough for the tick counter to wrap many times over.
  for (const auto idle : {std::chrono::hours(1), std::chrono::hours(24), std::chrono::hours(24 * 30)}) {
    const auto later = kStart + idle;
    CHECK(allowed_at_once(limiter, "192.0.2.40", later, 10) == 3);
  }
}

TEST_CASE("rate limiter: a burst from idle stops at 4095 for larger limits") {
  RateLimiter limiter(10'000, 1s);
  CHECK(allowed_at_once(limiter, "192.0.2.50", kStart, 5000) == 4095);
  // The burst's requests count one 100 µs interval apart: the next passes when
  // the bound has fallen below the limit, 4095 intervals on, and at 4100
  // intervals six pass.
  const RateDecision refused = limiter.check("192.0.2.50", kStart);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after == 410ms);
  CHECK(allowed_at_once(limiter, "192.0.2.50", kStart + 410ms, 100) == 6);
}

TEST_CASE("rate limiter: workers sharing a limiter never admit more than the limit (fixed clock)") {
  const int threads = 4;
  const int clients = 8;
  const std::int64_t requests = 500;
  RateLimiter limiter(requests, 1min);
  std::vector<std::atomic<int>> allowed(clients);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const int client = (i + t) % clients;
        if (limiter.check("10.0.0." + std::to_string(client), kStart).allowed) ++allowed[client];
      }
    });
  }
  for (auto& worker : workers) worker.join();
  // 4 × 2000 / 8 = 1000 attempts per client, twice its limit.
  for (int client = 0; client < clients; ++client) CHECK(allowed[client] == requests);
}
