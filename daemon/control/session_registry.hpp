#pragma once
// Every session by id and by service/instance name, the daemon-wide
// counters (route and session ids are never reused), and which sessions
// changed since their last commit to the state store.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "daemon/control/route_journal.hpp"
#include "daemon/control/session.hpp"
#include "daemon/state/state_store.hpp"

namespace reg::control {

class SessionRegistry {
 public:
  using SessionMap = std::unordered_map<std::string, std::unique_ptr<Session>>;

  Session* find(std::string_view id);
  Session* find_by_name(const std::string& service, const std::string& instance);

  // Adds a session under a fresh id (>= 128 bits of randomness).
  Session& add(std::unique_ptr<Session> session);
  // Brings back a session from the state store under the id it had.
  void restore(std::unique_ptr<Session> session);
  void erase(const std::string& id);

  const SessionMap& sessions() const { return sessions_; }

  std::uint64_t allocate_route_number() { return ++last_route_number_; }
  state::Counters counters() const { return {last_route_number_, sessions_created_}; }
  void restore_counters(const state::Counters& counters);

  // Records that a session was added, changed or erased. add() and erase()
  // record themselves; whoever changes a session in place calls this.
  void mark_changed(const std::string& id);
  // Counts every mark_changed(): a reply produced at count N may leave once
  // the changes up to N are durable.
  std::uint64_t change_count() const { return change_count_; }
  // The ids marked since the last call; erased ones are no longer in sessions().
  std::unordered_set<std::string> take_changed() { return std::exchange(changed_, {}); }
  // Whoever changes routes of a session records how, besides mark_changed().
  RouteJournal& journal() { return journal_; }

 private:
  std::string new_session_id();

  SessionMap sessions_;
  std::map<std::pair<std::string, std::string>, std::string> ids_by_name_;
  std::uint64_t last_route_number_ = 0;
  std::uint64_t sessions_created_ = 0;
  std::unordered_set<std::string> changed_;
  RouteJournal journal_;
  std::uint64_t change_count_ = 0;
};

// For logs: session ids are secrets, so only a prefix is ever shown.
std::string redact_session_id(std::string_view id);

}  // namespace reg::control
