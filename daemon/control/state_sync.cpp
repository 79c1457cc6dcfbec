#include "daemon/control/state_sync.hpp"

#include <cstdlib>
#include <vector>

#include <boost/asio/post.hpp>

#include "daemon/control/session_record.hpp"
#include "daemon/log.hpp"

namespace reg::control {

StateSync::StateSync(boost::asio::io_context& io, SessionRegistry& sessions, state::StateStore& store)
    : io_(io), sessions_(sessions), store_(store), writer_(store, io) {}

Status StateSync::restore() {
  auto stored = store_.load();
  if (!stored) return Error{stored.error()};
  const ClockReading now = ClockReading::now();
  std::size_t legacy = 0;
  for (const auto& stored_session : stored->sessions) {
    auto restored = decode_session(stored_session, now);
    if (!restored) return Error{restored.error()};
    Session& session = *restored->session;
    sessions_.restore(std::move(restored->session));
    if (restored->legacy_layout) {
      ++legacy;
      sessions_.journal().rewritten(session);
      sessions_.mark_changed(session.id);
    }
  }
  sessions_.restore_counters(stored->counters);
  if (legacy > 0) {
    // Before anything else happens: a crash now restores the old form again.
    commit_all_now();
    log::info("state migrated to one row per route", {{"sessions", std::to_string(legacy)}});
  }
  log::info("state restored", {{"sessions", std::to_string(stored->sessions.size())},
                               {"last_route_id", format_route_id(stored->counters.last_route_number)}});
  return success();
}

void StateSync::when_durable(std::uint64_t ticket, std::function<void()> then) {
  if (is_durable(ticket)) {
    then();
    return;
  }
  waiters_.emplace(ticket, std::move(then));
  commit_soon();
}

void StateSync::commit_soon() {
  if (commit_posted_ || commit_in_flight_ || collected_ == ticket()) return;
  commit_posted_ = true;
  // Posted, so the commands of connections that are ready to be read in this
  // pass of the event loop join the commit.
  boost::asio::post(io_, [this] {
    commit_posted_ = false;
    start_commit();
  });
}

void StateSync::commit_now() { start_commit(); }

state::StateChanges StateSync::collect_changes() {
  state::StateChanges changes;
  changes.counters = sessions_.counters();
  changes.items = sessions_.journal().take();
  const ClockReading now = ClockReading::now();
  for (const auto& id : sessions_.take_changed()) {
    if (const Session* session = sessions_.find(id)) changes.upserts.emplace_back(id, encode_session(*session, now));
    else changes.removals.push_back(id);
  }
  collected_ = ticket();
  return changes;
}

void StateSync::start_commit() {
  if (commit_in_flight_ || collected_ == ticket()) return;
  commit_in_flight_ = true;
  const std::uint64_t covered = ticket();
  writer_.submit(collect_changes(), [this, covered](Status outcome) { committed(covered, outcome); });
}

void StateSync::committed(std::uint64_t ticket, const Status& outcome) {
  if (!outcome) fail(outcome);
  commit_in_flight_ = false;
  durable_ = std::max(durable_, ticket);
  release_waiters();
  start_commit();
}

void StateSync::release_waiters() {
  // Collected first: a waiter may add waiters of its own.
  std::vector<std::function<void()>> ready;
  while (!waiters_.empty() && waiters_.begin()->first <= durable_) {
    ready.push_back(std::move(waiters_.begin()->second));
    waiters_.erase(waiters_.begin());
  }
  for (auto& then : ready) then();
}

void StateSync::commit_all_now() {
  if (Status in_flight = writer_.wait_idle(); !in_flight) fail(in_flight);
  if (collected_ != ticket()) {
    if (Status outcome = writer_.commit_here(collect_changes()); !outcome) fail(outcome);
  }
  durable_ = collected_;
  release_waiters();
}

void StateSync::fail(const Status& outcome) {
  // Memory and store now disagree, and the waiting replies must not claim
  // success: stop, and let the restart come back to the last commit.
  log::error("state store commit failed; stopping", {{"error", outcome.error()}});
  std::_Exit(1);
}

}  // namespace reg::control
