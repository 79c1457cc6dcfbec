#include "daemon/proxy/connection_deadline.hpp"

#include <utility>

#include "daemon/proxy/coarse_clock.hpp"

namespace reg::proxy {

ConnectionDeadline::ConnectionDeadline(const WorkerExecutor& executor, std::function<void()> expire)
    : timer_(executor), expire_(std::move(expire)) {}

void ConnectionDeadline::expires_after(Clock::duration timeout) {
  expired_ = false;
  deadline_ = coarse_steady_now() + timeout;
  if (deadline_ < armed_at_) arm(deadline_);
}

void ConnectionDeadline::expires_never() {
  expired_ = false;
  deadline_ = Clock::time_point::max();
}

void ConnectionDeadline::arm(Clock::time_point at) {
  armed_at_ = at;
  const std::uint64_t number = ++wait_number_;
  timer_.expires_at(at);
  timer_.async_wait([this, owner = owner_, number](boost::system::error_code ec) {
    const auto alive = owner.lock();
    if (ec || !alive || number != wait_number_) return;
    armed_at_ = Clock::time_point::max();
    if (deadline_ == Clock::time_point::max()) return;
    if (Clock::now() < deadline_) return arm(deadline_);
    deadline_ = Clock::time_point::max();
    expired_ = true;
    expire_();
  });
}

}  // namespace reg::proxy
