#pragma once
// Keeps the state store in step with the session registry, with group
// commit: the changes of every command dispatched while a commit waits for
// fsync go into the next commit together, and replies wait for the commit
// that holds the changes made before them (a reply never reports a change
// that a crash could still undo). Lives on the control thread.
#include <cstdint>
#include <functional>
#include <map>

#include <boost/asio/io_context.hpp>

#include "daemon/control/session_registry.hpp"
#include "daemon/state/state_store.hpp"
#include "daemon/state/state_writer.hpp"

namespace reg::control {

class StateSync {
 public:
  StateSync(boost::asio::io_context& io, SessionRegistry& sessions, state::StateStore& store);

  // Fills the (empty) registry from the store; at start, before any listener.
  Status restore();

  // Every change made so far is covered by this ticket.
  std::uint64_t ticket() const { return sessions_.change_count(); }
  bool is_durable(std::uint64_t ticket) const { return ticket <= durable_; }
  // Runs `then` on the control thread once the changes up to `ticket` are
  // durable, starting a commit if needed.
  void when_durable(std::uint64_t ticket, std::function<void()> then);
  // Starts committing what changed unless a commit is in flight; then the
  // changes go with the next one, started when that one ends.
  void commit_soon();
  // The same without waiting for the event loop's pass: for a caller about
  // to keep the control thread busy (a routing snapshot build), so the
  // commit's fsync overlaps that work instead of following it.
  void commit_now();
  // Commits everything now, blocking the control thread: at shutdown.
  void commit_all_now();

 private:
  void start_commit();
  void committed(std::uint64_t ticket, const Status& outcome);
  void release_waiters();
  [[noreturn]] static void fail(const Status& outcome);
  state::StateChanges collect_changes();

  boost::asio::io_context& io_;
  SessionRegistry& sessions_;
  state::StateStore& store_;
  std::uint64_t durable_ = 0;    // every change up to here is in the store
  std::uint64_t collected_ = 0;  // every change up to here is in the store or on its way
  bool commit_posted_ = false;
  bool commit_in_flight_ = false;
  std::multimap<std::uint64_t, std::function<void()>> waiters_;
  state::StateWriter writer_;  // last: its thread stops before the rest goes
};

}  // namespace reg::control
