#pragma once
// The timeout of a client connection's pending I/O, whichever it is: the
// request header (slowloris guard), a request body, an answer being written,
// a backend being connected to or awaited, the keep-alive wait.
//
// beast::basic_stream armed and cancelled a timer around every operation: a
// timer-queue update, a cancelled wait run as a handler and the work counting
// of a type-erased executor, four times per proxied request. Here a new
// deadline is only recorded; the one timer wait of the connection is moved
// only when the new deadline is earlier than the wait, and a wait that ends
// before the current deadline is simply renewed.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "daemon/proxy/worker_io.hpp"

namespace reg::proxy {

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `expire` runs when a deadline passes: it must interrupt the pending I/O,
  // whose handler then sees expired().
  ConnectionDeadline(const WorkerExecutor& executor, std::function<void()> expire);

  // Once, before the first expires_after(): `owner` owns this object. The
  // timer's wait holds it only weakly, so a connection that ends is not kept
  // alive by its timer.
  void belong_to(std::weak_ptr<const void> owner) { owner_ = std::move(owner); }

  // The I/O starting now must be done within `timeout`.
  void expires_after(Clock::duration timeout);
  // The I/O starting now has no time limit.
  void expires_never();
  // Whether the last deadline set passed (and `expire` ran).
  bool expired() const { return expired_; }

 private:
  void arm(Clock::time_point at);

  WorkerTimer timer_;
  std::function<void()> expire_;
  std::weak_ptr<const void> owner_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_at_ = Clock::time_point::max();  // max: no wait pending
  // Tells a wait that ended before a rearm (its handler already queued) from the current one.
  std::uint64_t wait_number_ = 0;
  bool expired_ = false;
};

}  // namespace reg::proxy
