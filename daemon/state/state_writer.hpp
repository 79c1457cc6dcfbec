#pragma once
// A thread of its own for StateStore commits, so the control thread goes on
// reading and dispatching while a commit waits for fsync; what arrives
// meanwhile becomes the next group. One commit at a time. Between commits,
// while nothing waits, it lets the store tidy up (StateStore::tidy).
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "daemon/state/state_store.hpp"

namespace reg::state {

class StateWriter {
 public:
  using Done = std::function<void(Status)>;

  StateWriter(StateStore& store, boost::asio::io_context& io);
  ~StateWriter();
  StateWriter(const StateWriter&) = delete;
  StateWriter& operator=(const StateWriter&) = delete;

  // Commits `changes` on the writer thread, then posts `done` with the
  // outcome to `io`. Only while no other commit is in flight.
  void submit(StateChanges changes, Done done);
  // Blocks until the commit or tidying in flight, if any, has ended (its
  // `done` is still posted) and returns the outcome of the last commit.
  Status wait_idle();
  // Blocks until idle, then commits on the calling thread, with the writer
  // held off meanwhile; an earlier failure is returned without committing.
  // For commits while the event loop does not run (at start, at shutdown).
  Status commit_here(const StateChanges& changes);

 private:
  struct Job {
    StateChanges changes;
    Done done;
  };
  void run();

  StateStore& store_;
  boost::asio::io_context& io_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Job> job_;
  bool busy_ = false;
  // Nothing tidying may break has been acknowledged, but a store that
  // failed a write is not to be trusted: the next commit reports it.
  Status last_outcome_ = success();
  // Set by each commit; not before the first, so load() at start has the
  // store to itself.
  bool untidy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace reg::state
