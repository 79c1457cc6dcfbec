#include "daemon/state/state_writer.hpp"

#include <boost/asio/post.hpp>

namespace reg::state {

StateWriter::StateWriter(StateStore& store, boost::asio::io_context& io)
    : store_(store), io_(io), thread_([this] { run(); }) {}

StateWriter::~StateWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void StateWriter::submit(StateChanges changes, Done done) {
  {
    std::lock_guard lock(mutex_);
    job_.emplace(Job{std::move(changes), std::move(done)});
    busy_ = true;
  }
  wake_.notify_all();
}

Status StateWriter::wait_idle() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return !busy_; });
  return last_outcome_;
}

Status StateWriter::commit_here(const StateChanges& changes) {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return !busy_; });
  if (!last_outcome_) return last_outcome_;
  busy_ = true;
  lock.unlock();
  Status outcome = store_.commit(changes);
  lock.lock();
  last_outcome_ = outcome;
  untidy_ = true;
  busy_ = job_.has_value();
  wake_.notify_all();
  return outcome;
}

void StateWriter::run() {
  std::unique_lock lock(mutex_);
  const auto may_tidy = [this] { return !busy_ && untidy_ && last_outcome_.ok(); };
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || job_.has_value() || may_tidy(); });
    if (job_) {
      Job job = std::move(*job_);
      job_.reset();
      const bool trusted = last_outcome_.ok();
      lock.unlock();
      Status outcome = trusted ? store_.commit(job.changes) : last_outcome_;
      boost::asio::post(io_, [done = std::move(job.done), outcome] { done(outcome); });
      lock.lock();
      last_outcome_ = std::move(outcome);
      untidy_ = true;
    } else if (stopping_) {
      return;
    } else {
      busy_ = true;
      lock.unlock();
      Result<bool> tidied = store_.tidy();
      lock.lock();
      untidy_ = tidied && *tidied;
      if (!tidied) last_outcome_ = Error{tidied.error()};
    }
    busy_ = job_.has_value();
    wake_.notify_all();
  }
}

}  // namespace reg::state
