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

void StateWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || job_.has_value(); });
    if (!job_) return;
    Job job = std::move(*job_);
    job_.reset();
    lock.unlock();
    Status outcome = store_.commit(job.changes);
    boost::asio::post(io_, [done = std::move(job.done), outcome] { done(outcome); });
    lock.lock();
    last_outcome_ = std::move(outcome);
    busy_ = false;
    wake_.notify_all();
  }
}

}  // namespace reg::state
