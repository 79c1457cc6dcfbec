#pragma once
// The route rows the next commit must write, in the order their changes
// happened: a command that stages one route adds one row, a full apply one
// change whatever its size (the store makes the staged overlay the applied
// routes). Each change is encoded when it is recorded, so what a later
// command does to the same route cannot leak into an earlier change. The
// rest of a session (its record) is written whole at each commit that
// follows a change to it.
#include <cstdint>
#include <utility>
#include <vector>

#include "daemon/control/session.hpp"
#include "daemon/state/state_store.hpp"

namespace reg::control {

class RouteJournal {
 public:
  // After a staging command changed route `number` of session.staged (added,
  // updated or removed it).
  void staged_route_changed(const Session& session, std::uint64_t number);
  // After a full apply: what was staged is what is active.
  void staged_applied(const Session& session);
  // After the staged configuration was dropped (rollback, expiry).
  void staged_discarded(const Session& session);
  // After any other change of active or staged routes (a partial apply, a
  // record of an older layout): every route row written again.
  void rewritten(const Session& session);

  std::vector<state::ItemChange> take() { return std::exchange(changes_, {}); }

 private:
  std::vector<state::ItemChange> changes_;
};

}  // namespace reg::control
