#pragma once
// A route's per-client rate limit (PROTOCOL.md §5 "Health, rate limits,
// circuit breakers"): at most `requests` per `window` for each client, over
// every window of that length, not only aligned ones, and shared by all proxy
// workers, so a client spreading its connections over N workers does not get
// N times the limit. The request path takes no lock and allocates nothing.
//
// The policy. Plain GCRA (one theoretical arrival time per client) cannot give
// both a burst and the sliding-window promise: with a burst tolerance of
// window - T (T = window / requests) it lets 2 * requests - 1 requests through
// in the first window after a burst; with no tolerance it refuses any burst.
// So each client keeps two numbers instead of one:
//   clear_at  the time when every request it was admitted has left the window;
//   burst     how many requests it was admitted while its record stayed busy.
// From them, for every moment t from now on, an upper bound on how many of
// its admitted requests lie in the window ending at t:
//   bound(t) = min(burst, ceil((clear_at - t) / T)) before clear_at, 0 after.
// A request passes when bound(now) < requests, and then
//   burst = bound(now) + 1,  clear_at = max(clear_at + T, now + window),
// which adds one to the bound of every window holding the new request, so the
// bound stays above the true count and no window ever holds more than
// `requests`. In practice: a fresh client may send `requests` at once and then
// waits one window; a client sending evenly keeps `requests` per window
// forever; after a full burst the quota comes back one request per T, fully
// at 2 * window - T.
//
// Bounded memory: a fixed table of `max_clients` slots (rounded up to a power
// of two, at least 8), in groups of 8 on one cache line. A client lives in the
// group picked by a keyed hash of its address (SipHash with a random key, so
// nobody can aim their addresses at a victim's slot) and is recognised there
// by a 16-bit tag from other bits of the hash. Two clients of one group with
// the same tag share a record: both are limited together, never more loosely
// (with a full table, fewer than one client in 9,000 shares). A new client
// takes the first idle slot of its group, or else the slot whose client is
// closest to idle; a client evicted while busy starts afresh, which only
// happens when more than `max_clients` clients are busy at once.
//
// Each slot is one 64-bit word, tag:16 | burst:12 | clear_at:36, changed by
// compare-and-swap, so a client's record is updated atomically by any worker.
// Time is counted in ticks of T / 2^f, with f chosen so that a window is under
// 2^22 ticks: T is a whole number of ticks (no rounding drift), and times are
// rounded to ticks in the direction that refuses, so the limit holds to the
// nanosecond; a request may be refused if it comes less than a tick (at most
// a 2-millionth of the window) after the moment it would pass. clear_at wraps
// every 2^36 ticks (2^14 windows or more); a record left idle about a multiple
// of that long comes back looking busy with odds below 1 in 5,000, which
// limits that client for at most two windows. For limits above 4,095 the
// burst count is kept exactly near 0 and near the limit, and rounded up in
// between, so a burst from idle stops at 4,095 requests. Limits above 2^22
// requests per window use ticks of T itself.
//
// The price of never admitting too many: the bound spreads the requests of a
// batch one interval apart, so a client sending in batches close to its limit
// (several requests at once, again and again) can be refused some requests
// that an exact per-request log would have admitted.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/value_parsers.hpp"

namespace reg::proxy {

// What the proxy does with one request, and the values of its headers.
struct RateDecision {
  bool allowed = false;
  std::int64_t limit = 0;        // RateLimit-Limit: `requests`
  std::int64_t remaining = 0;    // RateLimit-Remaining: requests that would pass right now
  Milliseconds reset_after{0};   // until the client's whole quota is back
  Milliseconds retry_after{0};   // refused: until the next request passes; 0 when allowed

  // RateLimit-Reset: whole seconds, rounded up.
  std::int64_t reset_seconds() const;
  // Retry-After on a 429: whole seconds, rounded up, at least 1.
  std::int64_t retry_after_seconds() const;
};

class RateLimiter {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using HashKey = std::array<std::uint64_t, 2>;
  static constexpr std::size_t kDefaultMaxClients = 65536;

  // `requests` >= 1 and `window` > 0, as the protocol's RATELIMIT_SET checks.
  // The hash key is random.
  RateLimiter(std::int64_t requests, Milliseconds window, std::size_t max_clients = kDefaultMaxClients);
  // With a chosen hash key, which clients share a group or a tag is the same
  // on every run: for tests.
  RateLimiter(std::int64_t requests, Milliseconds window, std::size_t max_clients, const HashKey& hash_key);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Any thread. Counts the request when it is allowed. `client` is the key to
  // limit by (the client's IP address); `now` must come from one steady clock
  // for all callers, which tests may set freely.
  RateDecision check(std::string_view client, SteadyTime now);

  // Slots in the table: fixed at construction, the most clients tracked at once.
  std::size_t capacity() const;

 private:
  struct SlotGroup;
  struct Moment;

  Moment moment_at(SteadyTime now) const;
  Milliseconds time_until(std::int64_t ticks_ahead, const Moment& now) const;
  std::int64_t ticks_until_clear(std::uint64_t word, std::uint64_t now_ticks) const;
  std::int64_t window_count_bound(std::int64_t burst, std::int64_t ticks_until_clear) const;
  std::uint64_t burst_field_for(std::int64_t burst) const;
  std::int64_t burst_of(std::uint64_t burst_field) const;

  std::int64_t requests_;
  Milliseconds window_;
  unsigned tick_shift_;          // T = 2^tick_shift ticks
  std::int64_t window_ticks_;    // requests * T
  HashKey hash_key_;
  std::size_t group_mask_;
  std::unique_ptr<SlotGroup[]> groups_;
};

}  // namespace reg::proxy
