#include "daemon/proxy/rate_limiter.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <limits>
#include <random>

namespace reg::proxy {
namespace {

constexpr std::size_t kSlotsPerGroup = 8;  // 8 words of 8 bytes: one cache line
constexpr std::size_t kCacheLine = 64;

// One slot's word: tag:16 | burst:12 | clear_at:36.
constexpr unsigned kClearAtBits = 36;
constexpr unsigned kBurstBits = 12;
constexpr unsigned kTagBits = 16;
constexpr std::uint64_t kClearAtMask = (std::uint64_t{1} << kClearAtBits) - 1;
constexpr std::uint64_t kBurstMask = (std::uint64_t{1} << kBurstBits) - 1;
// For limits too large for the burst field, the counts kept exact: from 0 up
// to this, and from the limit down by this.
constexpr std::int64_t kExactBurstEnds = static_cast<std::int64_t>(kBurstMask / 2);
// Tag 0 marks a slot no client ever took (the table starts zeroed).
constexpr std::uint64_t kNoTag = 0;

// A window spans fewer than 2^kWindowTickBits ticks (for limits below 2^22).
constexpr unsigned kWindowTickBits = 22;
// A record clears at most two windows after its last admission; a third
// window of slack covers callers whose clocks were read a little apart.
// Anything further ahead is a wrapped, long idle record.
constexpr std::int64_t kBusyWindows = 3;

// GCC's 128-bit integer: nanoseconds times ticks per window exceed 64 bits.
__extension__ using Wide = __int128;

std::uint64_t tag_of(std::uint64_t word) { return word >> (kClearAtBits + kBurstBits); }
std::uint64_t burst_field_of(std::uint64_t word) { return (word >> kClearAtBits) & kBurstMask; }
std::uint64_t clear_at_of(std::uint64_t word) { return word & kClearAtMask; }
std::uint64_t slot_word(std::uint64_t tag, std::uint64_t burst_field, std::uint64_t clear_at) {
  return tag << (kClearAtBits + kBurstBits) | burst_field << kClearAtBits | (clear_at & kClearAtMask);
}

// SipHash-1-3 (Aumasson and Bernstein; the variant Rust's HashMap uses). Keyed,
// so which addresses share a group and tag depends on a secret and cannot be
// planned by someone who wants to drain another client's quota.
std::uint64_t keyed_hash(const std::array<std::uint64_t, 2>& key, std::string_view bytes) {
  std::uint64_t v0 = key[0] ^ 0x736f6d6570736575;
  std::uint64_t v1 = key[1] ^ 0x646f72616e646f6d;
  std::uint64_t v2 = key[0] ^ 0x6c7967656e657261;
  std::uint64_t v3 = key[1] ^ 0x7465646279746573;
  const auto round = [&] {
    v0 += v1; v1 = std::rotl(v1, 13); v1 ^= v0; v0 = std::rotl(v0, 32);
    v2 += v3; v3 = std::rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = std::rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = std::rotl(v1, 17); v1 ^= v2; v2 = std::rotl(v2, 32);
  };
  const auto absorb = [&](std::uint64_t block) {
    v3 ^= block;
    round();
    v0 ^= block;
  };
  // Little-endian 8-byte blocks; the last one carries the length in its top byte.
  std::uint64_t block = 0;
  std::size_t filled = 0;
  for (const char byte : bytes) {
    block |= std::uint64_t{static_cast<unsigned char>(byte)} << (8 * filled);
    if (++filled == 8) {
      absorb(block);
      block = 0;
      filled = 0;
    }
  }
  absorb(block | static_cast<std::uint64_t>(bytes.size()) << 56);
  v2 ^= 0xff;
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

RateLimiter::HashKey random_hash_key() {
  std::random_device entropy;
  RateLimiter::HashKey key;
  for (auto& half : key) half = std::uint64_t{entropy()} << 32 | entropy();
  return key;
}

// Rounds towards minus infinity; `divisor` > 0.
Wide floor_div(Wide dividend, Wide divisor) {
  const Wide quotient = dividend / divisor;
  return quotient * divisor > dividend ? quotient - 1 : quotient;
}

}  // namespace

struct RateLimiter::SlotGroup {
  alignas(kCacheLine) std::array<std::atomic<std::uint64_t>, kSlotsPerGroup> slots{};
};

// A steady time in ticks: the tick it falls in (modulo 2^36, like clear_at:
// only differences matter), and how far past that tick's start it lies, in
// units of 1 / (window in nanoseconds) of a tick, so that waits reported to
// clients end exactly at tick boundaries instead of up to a tick late.
struct RateLimiter::Moment {
  std::uint64_t ticks = 0;
  Wide past_tick = 0;
};

std::int64_t RateDecision::reset_seconds() const { return (reset_after.count() + 999) / 1000; }

std::int64_t RateDecision::retry_after_seconds() const {
  return std::max<std::int64_t>((retry_after.count() + 999) / 1000, 1);
}

RateLimiter::RateLimiter(std::int64_t requests, Milliseconds window, std::size_t max_clients)
    : RateLimiter(requests, window, max_clients, random_hash_key()) {}

RateLimiter::RateLimiter(std::int64_t requests, Milliseconds window, std::size_t max_clients,
                         const HashKey& hash_key)
    : requests_(requests), window_(window), hash_key_(hash_key) {
  assert(requests >= 1 && window.count() > 0);
  const auto width = static_cast<unsigned>(std::bit_width(static_cast<std::uint64_t>(requests)));
  tick_shift_ = width < kWindowTickBits ? kWindowTickBits - width : 0;
  window_ticks_ = requests << tick_shift_;
  const std::size_t slots = std::bit_ceil(std::max(max_clients, kSlotsPerGroup));
  group_mask_ = slots / kSlotsPerGroup - 1;
  groups_ = std::make_unique<SlotGroup[]>(slots / kSlotsPerGroup);
}

RateLimiter::~RateLimiter() = default;

std::size_t RateLimiter::capacity() const { return (group_mask_ + 1) * kSlotsPerGroup; }

RateDecision RateLimiter::check(std::string_view client, SteadyTime now) {
  const std::uint64_t hash = keyed_hash(hash_key_, client);
  const std::uint64_t tag = std::max<std::uint64_t>(hash >> (64 - kTagBits), kNoTag + 1);
  auto& slots = groups_[hash & group_mask_].slots;
  const Moment moment = moment_at(now);
  const std::uint64_t now_ticks = moment.ticks;
  const std::int64_t interval = std::int64_t{1} << tick_shift_;
  // Both roundings lean towards refusing, which keeps the limit exact to the
  // nanosecond: decisions use the start of now's tick (the bound only falls
  // with time), and a new request counts from the end of it.
  const std::int64_t admitted_window = window_ticks_ + (moment.past_tick > 0 ? 1 : 0);
  // Relaxed ordering throughout: each word is the whole record, and nothing
  // else is published through it. A failed exchange means another worker
  // changed the group meanwhile, so the choice of slot is made again.
  for (;;) {
    // The client's own slot if it has one; else the slot it takes over: the
    // first idle one, or the one whose client is closest to idle.
    std::atomic<std::uint64_t>* slot = nullptr;
    std::uint64_t seen = 0;
    bool owned = false;
    std::int64_t least_until_clear = std::numeric_limits<std::int64_t>::max();
    for (auto& candidate : slots) {
      const std::uint64_t word = candidate.load(std::memory_order_relaxed);
      if (tag_of(word) == tag) {
        slot = &candidate;
        seen = word;
        owned = true;
        break;
      }
      const std::int64_t until_clear = ticks_until_clear(word, now_ticks);
      if (until_clear < least_until_clear) {
        slot = &candidate;
        seen = word;
        least_until_clear = until_clear;
      }
    }
    // A client moving into a slot starts with an empty record.
    const std::int64_t until_clear = owned ? ticks_until_clear(seen, now_ticks) : 0;
    const std::int64_t bound = window_count_bound(owned ? burst_of(burst_field_of(seen)) : 0, until_clear);
    if (bound >= requests_) {
      // Refusals change nothing. The bound falls below the limit once its
      // linear part does: the burst count only grows while the record is busy.
      const std::int64_t wait = until_clear - ((requests_ - 1) << tick_shift_);
      return {false, requests_, 0, time_until(until_clear, moment), time_until(wait, moment)};
    }
    const std::uint64_t burst_field = burst_field_for(bound + 1);
    // A real record clears within about two windows; only a long idle one
    // whose clear_at wrapped into the busy range can climb to the third, and
    // capping it there keeps it from reading as idle (and the client getting
    // a second full quota) on the next request.
    const std::int64_t new_until_clear =
        std::min(std::max(until_clear + interval, admitted_window), kBusyWindows * window_ticks_);
    if (slot->compare_exchange_strong(seen, slot_word(tag, burst_field, now_ticks + new_until_clear),
                                      std::memory_order_relaxed)) {
      const std::int64_t remaining = requests_ - window_count_bound(burst_of(burst_field), new_until_clear);
      return {true, requests_, remaining, time_until(new_until_clear, moment), Milliseconds{0}};
    }
  }
}

RateLimiter::Moment RateLimiter::moment_at(SteadyTime now) const {
  const Wide nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  const Wide window_nanos = Wide{window_.count()} * 1'000'000;
  const Wide scaled = nanos * window_ticks_;
  const Wide ticks = floor_div(scaled, window_nanos);
  return {static_cast<std::uint64_t>(ticks) & kClearAtMask, scaled - ticks * window_nanos};
}

// From `now` to the start of the tick `ticks_ahead` ticks after now's, rounded
// up to whole milliseconds so that a client waiting that long is on time.
Milliseconds RateLimiter::time_until(std::int64_t ticks_ahead, const Moment& now) const {
  const Wide window_nanos = Wide{window_.count()} * 1'000'000;
  const Wide scaled = Wide{ticks_ahead} * window_nanos - now.past_tick;
  const Wide per_millisecond = Wide{window_ticks_} * 1'000'000;
  return Milliseconds{static_cast<std::int64_t>((scaled + per_millisecond - 1) / per_millisecond)};
}

// Ticks until the record in `word` clears; 0 for an idle or empty slot.
std::int64_t RateLimiter::ticks_until_clear(std::uint64_t word, std::uint64_t now_ticks) const {
  if (tag_of(word) == kNoTag) return 0;
  // A clear_at in the past wraps to a huge value and counts as idle too.
  const auto until_clear = static_cast<std::int64_t>((clear_at_of(word) - now_ticks) & kClearAtMask);
  return until_clear <= kBusyWindows * window_ticks_ ? until_clear : 0;
}

// The most admitted requests of the client that any window from now on can
// hold: min(burst, ceil(until_clear / T)), 0 once the record has cleared.
std::int64_t RateLimiter::window_count_bound(std::int64_t burst, std::int64_t until_clear) const {
  if (until_clear == 0) return 0;
  const std::int64_t linear = ((until_clear - 1) >> tick_shift_) + 1;
  return std::min(burst, linear);
}

// A burst count (at most `requests`) as the 12-bit field stores it: exactly
// when the limit fits the field; else exactly near 0 and near the limit, where
// a steady client's count stays, as distance from the limit in the upper half
// of the field. Counts in between round up to the limit's end: a larger count
// is still an upper bound, it only shortens that burst.
std::uint64_t RateLimiter::burst_field_for(std::int64_t burst) const {
  if (requests_ <= static_cast<std::int64_t>(kBurstMask) || burst <= kExactBurstEnds) {
    return static_cast<std::uint64_t>(burst);
  }
  const std::int64_t below_limit = std::min(requests_ - burst, kExactBurstEnds);
  return kBurstMask - static_cast<std::uint64_t>(below_limit);
}

std::int64_t RateLimiter::burst_of(std::uint64_t field) const {
  const auto value = static_cast<std::int64_t>(field);
  if (requests_ <= static_cast<std::int64_t>(kBurstMask) || value <= kExactBurstEnds) return value;
  return requests_ - (static_cast<std::int64_t>(kBurstMask) - value);
}

}  // namespace reg::proxy
