#pragma once
// Every session by id and by service/instance name, the connection-lease
// sessions by the connection holding them, the daemon-wide counters (route
// and session ids are never reused), and which sessions changed since their
// last commit to the state store.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/control/route_journal.hpp"
#include "daemon/control/session.hpp"
#include "daemon/control/session_id_generator.hpp"
#include "daemon/state/state_store.hpp"

namespace reg::control {

// Lets a map keyed by std::string be searched with a string_view (a field
// of the line being parsed) without copying it into a string first.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

class SessionRegistry {
 public:
  using SessionMap = std::unordered_map<std::string, std::unique_ptr<Session>, StringHash, std::equal_to<>>;

  Session* find(std::string_view id);
  Session* find_by_name(const std::string& service, const std::string& instance);

  // Adds a session under a fresh id (>= 128 bits of randomness).
  Session& add(std::unique_ptr<Session> session);
  // Brings back a session from the state store under the id it had.
  void restore(std::unique_ptr<Session> session);
  void erase(const std::string& id);

  const SessionMap& sessions() const { return sessions_; }

  // `connection` holds the session from now on (REGISTER, RECONNECT). Only
  // a connection lease has a holder: nothing detaches a persistent session.
  void hold(Session& session, ConnectionId connection);
  // The sessions `connection` held; now no connection holds them.
  std::vector<Session*> release_held(ConnectionId connection);

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
  struct NameHash {
    std::size_t operator()(const std::pair<std::string, std::string>& name) const;
  };

  void unhold(const Session& session);

  SessionMap sessions_;
  std::unordered_map<std::pair<std::string, std::string>, Session*, NameHash> by_name_;
  std::unordered_map<ConnectionId, std::unordered_set<std::string>> held_;
  SessionIdGenerator ids_;
  std::uint64_t last_route_number_ = 0;
  std::uint64_t sessions_created_ = 0;
  std::unordered_set<std::string> changed_;
  RouteJournal journal_;
  std::uint64_t change_count_ = 0;
};

// For logs: session ids are secrets, so only a prefix is ever shown.
std::string redact_session_id(std::string_view id);

}  // namespace reg::control
