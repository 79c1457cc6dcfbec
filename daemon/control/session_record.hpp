#pragma once
// A session as the state store keeps it: one JSON document with everything
// that must survive a restart (identity, lease, metadata, the settings of the
// active and staged configuration, drain, maintenance, timestamps), and one
// item per route, so that a command changing one route writes one row (see
// RouteJournal). Connection-bound state (holder, subscriptions) is left out
// on purpose: it ends with the process.
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "daemon/control/session.hpp"
#include "daemon/state/state_store.hpp"

namespace reg::control {

// Both clocks read at one moment: steady times are stored as wall-clock
// times and turned back into steady ones against the clock of the new process.
struct ClockReading {
  SystemTime system;
  SteadyTime steady;
  static ClockReading now() { return {std::chrono::system_clock::now(), std::chrono::steady_clock::now()}; }
};

// The session's record, without its routes.
std::string encode_session(const Session& session, const ClockReading& now);
// One route's item body.
std::string encode_route(const RouteSpec& route);

struct RestoredSession {
  std::unique_ptr<Session> session;
  // Stored by a regd whose records held their routes (schema 1): to be
  // written again in the current form.
  bool legacy_layout;
};

// The session as it was. A connection-lease session comes back detached
// since `now`, so its client gets a full grace period to RECONNECT.
Result<RestoredSession> decode_session(const state::StoredSession& stored, const ClockReading& now);

}  // namespace reg::control
