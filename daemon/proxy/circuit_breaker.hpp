#pragma once
// A route's circuit breaker (PROTOCOL.md §5 "Health, rate limits, circuit
// breakers"), shared by all proxy workers without a lock.
//
//   closed     requests pass; `threshold` consecutive failures open it (a
//              success in between starts the count again).
//   open       requests fail fast until `open_timeout` has passed; the first
//              request after that turns it half open.
//   half_open  at most `half_open_requests` trial requests pass, in total; when
//              all of them succeed it closes, when one fails it opens again
//              with a new timeout.
// The caller decides what a failure is (connect error, timeout, 5xx) and must
// end every admitted request with exactly one record_success, record_failure
// or record_abandoned (the client went away before the backend answered: a
// trial's place goes back to the round). It passes the CircuitAdmission back,
// because the admission names its round: every change of state starts a new
// round, and outcomes of requests admitted in an earlier round are ignored, so
// slow requests admitted before the circuit opened can neither close it as
// trials nor count twice toward opening it.
//
// The whole state machine is one 64-bit word changed by compare-and-swap:
// state:2 | round:12 | payload:50, where the payload is the failure count
// (closed), the next attempt time (open) or the trials admitted and succeeded
// (half open, 25 bits each, so at most 33,554,431 trials per round). Each
// transition is one successful exchange, so exactly one caller sees it and
// reports it (the `circuit_state_changed` event); rounds wrap after 4,096
// transitions, far longer than a request lasts. Decisions take the time as an
// argument, so tests set the clock instead of sleeping.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/value_parsers.hpp"

namespace reg::proxy {

enum class CircuitState { closed, open, half_open };

// "closed", "open", "half_open": the protocol's names.
std::string_view circuit_state_name(CircuitState state);

struct CircuitTransition {
  CircuitState from = CircuitState::closed;
  CircuitState to = CircuitState::closed;
  bool operator==(const CircuitTransition&) const = default;
};

struct CircuitAdmission {
  bool allowed = false;
  // Set when this request's arrival turned the open circuit half open.
  std::optional<CircuitTransition> transition;
  // The round that admitted the request; only the breaker reads it.
  std::uint32_t round = 0;
};

// What CIRCUIT_BREAKER_STATUS shows.
struct CircuitSnapshot {
  CircuitState state = CircuitState::closed;
  // Closed: consecutive failures so far. Open: the failures that opened it
  // (`threshold`, or 1 when a trial failed). Half open: 0.
  std::int64_t failures = 0;
  // Trials that succeeded in the current half-open round; 0 otherwise. Both
  // counters are the state machine's own, so a reset zeroes them.
  std::int64_t successes = 0;
  // History, kept across resets.
  std::optional<std::chrono::system_clock::time_point> last_failure;
  // Open only: when the first trial request may pass.
  std::optional<std::chrono::system_clock::time_point> next_attempt;
};

class CircuitBreaker {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using SystemTime = std::chrono::system_clock::time_point;

  // All >= 1 / > 0, as CIRCUIT_BREAKER_SET checks; half_open_requests above
  // 33,554,431 count as that many.
  CircuitBreaker(std::int64_t threshold, Milliseconds open_timeout, std::int64_t half_open_requests);
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // Any thread, on the request path: may this request go to the backend?
  CircuitAdmission try_acquire(SteadyTime now);

  // Any thread: the outcome of an allowed request. Each returns the transition
  // it caused, if any.
  std::optional<CircuitTransition> record_success(const CircuitAdmission& admission, SteadyTime now);
  std::optional<CircuitTransition> record_failure(const CircuitAdmission& admission, SteadyTime now);
  void record_abandoned(const CircuitAdmission& admission);

  // Closed, counters zero; outcomes of requests in flight are ignored.
  std::optional<CircuitTransition> reset(SteadyTime now);

  // When the circuit last closed after being open or half open; the epoch of
  // the steady clock if it never did. Slow start ramps a backend up from here.
  SteadyTime closed_since() const;

  // The state a request arriving at `now` meets: an open circuit whose timeout
  // has passed reads as half open (the transition itself, and its event, come
  // with the next try_acquire). The load balancer skips open circuits by this.
  CircuitState state(SteadyTime now) const;

  // `system_now` is the wall-clock reading taken with `now`, to show times.
  CircuitSnapshot snapshot(SteadyTime now, SystemTime system_now) const;

 private:
  std::int64_t threshold_;
  Milliseconds open_timeout_;
  std::int64_t half_open_requests_;
  std::atomic<std::uint64_t> status_;
  // Steady-clock nanoseconds of the latest failure; the lowest int64 before any.
  std::atomic<std::int64_t> last_failure_;
  // Steady-clock nanoseconds of the latest closing; 0 before any.
  std::atomic<std::int64_t> closed_at_{0};
};

}  // namespace reg::proxy
