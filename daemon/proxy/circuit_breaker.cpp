#include "daemon/proxy/circuit_breaker.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace reg::proxy {
namespace {

using SteadyTime = CircuitBreaker::SteadyTime;

// The status word: state:2 | round:12 | payload:50.
constexpr unsigned kPayloadBits = 50;
constexpr unsigned kRoundBits = 12;
constexpr unsigned kTrialBits = 25;
constexpr std::uint64_t kPayloadMask = (std::uint64_t{1} << kPayloadBits) - 1;
constexpr std::uint64_t kRoundMask = (std::uint64_t{1} << kRoundBits) - 1;
constexpr std::uint64_t kTrialMask = (std::uint64_t{1} << kTrialBits) - 1;
// Open payload: opened_by_trial:1 | next_attempt_ms:49.
constexpr std::uint64_t kOpenedByTrial = std::uint64_t{1} << (kPayloadBits - 1);
constexpr std::uint64_t kNextAttemptMask = kOpenedByTrial - 1;

constexpr std::int64_t kNoFailure = std::numeric_limits<std::int64_t>::min();

// One status word, unpacked. Only the fields of `state` mean anything.
struct Status {
  CircuitState state = CircuitState::closed;
  std::uint32_t round = 0;
  std::int64_t failures = 0;          // closed
  std::int64_t next_attempt_ms = 0;   // open: steady clock milliseconds
  bool opened_by_trial = false;       // open
  std::int64_t trials_admitted = 0;   // half open
  std::int64_t trials_succeeded = 0;  // half open
};

Status decode(std::uint64_t word) {
  Status status;
  status.state = static_cast<CircuitState>(word >> (kPayloadBits + kRoundBits));
  status.round = static_cast<std::uint32_t>((word >> kPayloadBits) & kRoundMask);
  const std::uint64_t payload = word & kPayloadMask;
  switch (status.state) {
    case CircuitState::closed:
      status.failures = static_cast<std::int64_t>(payload);
      break;
    case CircuitState::open:
      status.opened_by_trial = (payload & kOpenedByTrial) != 0;
      status.next_attempt_ms = static_cast<std::int64_t>(payload & kNextAttemptMask);
      break;
    case CircuitState::half_open:
      status.trials_admitted = static_cast<std::int64_t>(payload >> kTrialBits);
      status.trials_succeeded = static_cast<std::int64_t>(payload & kTrialMask);
      break;
  }
  return status;
}

std::uint64_t encode(const Status& status) {
  std::uint64_t payload = 0;
  switch (status.state) {
    case CircuitState::closed:
      payload = static_cast<std::uint64_t>(status.failures);
      break;
    case CircuitState::open:
      payload = (status.opened_by_trial ? kOpenedByTrial : 0) |
                static_cast<std::uint64_t>(status.next_attempt_ms);
      break;
    case CircuitState::half_open:
      payload = static_cast<std::uint64_t>(status.trials_admitted) << kTrialBits |
                static_cast<std::uint64_t>(status.trials_succeeded);
      break;
  }
  return static_cast<std::uint64_t>(status.state) << (kPayloadBits + kRoundBits) |
         std::uint64_t{status.round} << kPayloadBits | payload;
}

// A fresh status in `state`, starting the round after `previous`'s.
Status next_round(const Status& previous, CircuitState state) {
  Status next;
  next.state = state;
  next.round = (previous.round + 1) & kRoundMask;
  return next;
}

std::optional<CircuitTransition> transition_between(const Status& before, const Status& after) {
  if (before.state == after.state) return std::nullopt;
  return CircuitTransition{before.state, after.state};
}

// Applies `decide` to the current status until its answer is stored, or until
// it declines with nullopt. Relaxed ordering: the word is the whole state
// machine and publishes nothing else; the exchange alone makes each change,
// and so each transition, happen exactly once.
template <class Decide>
std::optional<CircuitTransition> change_status(std::atomic<std::uint64_t>& status, Decide decide) {
  std::uint64_t word = status.load(std::memory_order_relaxed);
  for (;;) {
    const Status current = decode(word);
    const std::optional<Status> next = decide(current);
    if (!next) return std::nullopt;
    if (status.compare_exchange_weak(word, encode(*next), std::memory_order_relaxed)) {
      return transition_between(current, *next);
    }
  }
}

std::int64_t nanos_of(SteadyTime time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

bool attempt_due(const Status& open, SteadyTime now) {
  return nanos_of(now) >= open.next_attempt_ms * 1'000'000;
}

CircuitBreaker::SystemTime wall_time(std::int64_t steady_nanos, SteadyTime now,
                                     CircuitBreaker::SystemTime system_now) {
  const auto since_now = std::chrono::nanoseconds(steady_nanos - nanos_of(now));
  return system_now + std::chrono::duration_cast<CircuitBreaker::SystemTime::duration>(since_now);
}

}  // namespace

std::string_view circuit_state_name(CircuitState state) {
  switch (state) {
    case CircuitState::closed: return "closed";
    case CircuitState::open: return "open";
    case CircuitState::half_open: return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(std::int64_t threshold, Milliseconds open_timeout,
                               std::int64_t half_open_requests)
    : threshold_(threshold),
      open_timeout_(open_timeout),
      half_open_requests_(std::min(half_open_requests, static_cast<std::int64_t>(kTrialMask))),
      status_(encode(Status{})),
      last_failure_(kNoFailure) {
  assert(threshold >= 1 && open_timeout.count() > 0 && half_open_requests >= 1);
}

CircuitAdmission CircuitBreaker::try_acquire(SteadyTime now) {
  std::uint64_t word = status_.load(std::memory_order_relaxed);
  for (;;) {
    const Status current = decode(word);
    Status next = current;
    switch (current.state) {
      case CircuitState::closed:
        return {true, std::nullopt, current.round};
      case CircuitState::open:
        if (!attempt_due(current, now)) return {false, std::nullopt, current.round};
        next = next_round(current, CircuitState::half_open);
        next.trials_admitted = 1;
        break;
      case CircuitState::half_open:
        if (current.trials_admitted >= half_open_requests_) return {false, std::nullopt, current.round};
        ++next.trials_admitted;
        break;
    }
    if (status_.compare_exchange_weak(word, encode(next), std::memory_order_relaxed)) {
      return {true, transition_between(current, next), next.round};
    }
  }
}

std::optional<CircuitTransition> CircuitBreaker::record_success(const CircuitAdmission& admission,
                                                                SteadyTime now) {
  assert(admission.allowed);
  const auto transition = change_status(status_, [&](const Status& current) -> std::optional<Status> {
    if (current.round != admission.round) return std::nullopt;
    Status next = current;
    if (current.state == CircuitState::closed) {
      if (current.failures == 0) return std::nullopt;
      next.failures = 0;
    } else if (current.state == CircuitState::half_open) {
      if (current.trials_succeeded + 1 == half_open_requests_) {
        return next_round(current, CircuitState::closed);
      }
      ++next.trials_succeeded;
    } else {
      return std::nullopt;  // open admits nobody; only a wrapped round number lands here
    }
    return next;
  });
  if (transition) closed_at_.store(nanos_of(now), std::memory_order_relaxed);
  return transition;
}

std::optional<CircuitTransition> CircuitBreaker::record_failure(const CircuitAdmission& admission,
                                                                SteadyTime now) {
  assert(admission.allowed && now.time_since_epoch().count() >= 0);
  // Keep the latest failure: workers report out of order.
  const std::int64_t failed_at = nanos_of(now);
  std::int64_t recorded = last_failure_.load(std::memory_order_relaxed);
  while (recorded < failed_at &&
         !last_failure_.compare_exchange_weak(recorded, failed_at, std::memory_order_relaxed)) {
  }
  const auto opened = [&](const Status& current, bool by_trial) {
    Status next = next_round(current, CircuitState::open);
    next.opened_by_trial = by_trial;
    next.next_attempt_ms = (failed_at + 999'999) / 1'000'000 + open_timeout_.count();
    return next;
  };
  return change_status(status_, [&](const Status& current) -> std::optional<Status> {
    if (current.round != admission.round) return std::nullopt;
    if (current.state == CircuitState::closed) {
      if (current.failures + 1 >= threshold_) return opened(current, false);
      Status next = current;
      ++next.failures;
      return next;
    }
    if (current.state == CircuitState::half_open) return opened(current, true);
    return std::nullopt;  // open admits nobody; only a wrapped round number lands here
  });
}

void CircuitBreaker::record_abandoned(const CircuitAdmission& admission) {
  assert(admission.allowed);
  change_status(status_, [&](const Status& current) -> std::optional<Status> {
    if (current.round != admission.round || current.state != CircuitState::half_open) return std::nullopt;
    Status next = current;
    --next.trials_admitted;
    return next;
  });
}

std::optional<CircuitTransition> CircuitBreaker::reset(SteadyTime now) {
  const auto transition = change_status(status_, [](const Status& current) -> std::optional<Status> {
    return next_round(current, CircuitState::closed);
  });
  if (transition) closed_at_.store(nanos_of(now), std::memory_order_relaxed);
  return transition;
}

SteadyTime CircuitBreaker::closed_since() const {
  return SteadyTime{std::chrono::nanoseconds(closed_at_.load(std::memory_order_relaxed))};
}

CircuitState CircuitBreaker::state(SteadyTime now) const {
  const Status current = decode(status_.load(std::memory_order_relaxed));
  if (current.state == CircuitState::open && attempt_due(current, now)) return CircuitState::half_open;
  return current.state;
}

CircuitSnapshot CircuitBreaker::snapshot(SteadyTime now, SystemTime system_now) const {
  const Status current = decode(status_.load(std::memory_order_relaxed));
  CircuitSnapshot snapshot;
  if (const std::int64_t failed_at = last_failure_.load(std::memory_order_relaxed); failed_at != kNoFailure) {
    snapshot.last_failure = wall_time(failed_at, now, system_now);
  }
  switch (current.state) {
    case CircuitState::closed:
      snapshot.failures = current.failures;
      break;
    case CircuitState::open:
      if (attempt_due(current, now)) {
        snapshot.state = CircuitState::half_open;
        break;
      }
      snapshot.state = CircuitState::open;
      snapshot.failures = current.opened_by_trial ? 1 : threshold_;
      snapshot.next_attempt = wall_time(current.next_attempt_ms * 1'000'000, now, system_now);
      break;
    case CircuitState::half_open:
      snapshot.state = CircuitState::half_open;
      snapshot.successes = current.trials_succeeded;
      break;
  }
  return snapshot;
}

}  // namespace reg::proxy
