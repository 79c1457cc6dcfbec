#pragma once
// A session as the state store keeps it: one JSON document with everything
// that must survive a restart (identity, lease, metadata, active and staged
// configuration, drain, maintenance, timestamps). Connection-bound state
// (holder, subscriptions) is left out on purpose: it ends with the process.
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "daemon/control/session.hpp"

namespace reg::control {

// Both clocks read at one moment: steady times are stored as wall-clock
// times and turned back into steady ones against the clock of the new process.
struct ClockReading {
  SystemTime system;
  SteadyTime steady;
  static ClockReading now() { return {std::chrono::system_clock::now(), std::chrono::steady_clock::now()}; }
};

std::string encode_session(const Session& session, const ClockReading& now);

// The session as it was, with id `id`. A connection-lease session comes back
// detached since `now`, so its client gets a full grace period to RECONNECT.
Result<std::unique_ptr<Session>> decode_session(std::string_view id, std::string_view body, const ClockReading& now);

}  // namespace reg::control
