#pragma once
// Where the control plane's state survives a restart (DESIGN.md "State").
// The store knows rows, not sessions: a session is an opaque encoded body
// under its id, plus two daemon-wide counters. That keeps a second
// implementation (etcd for several nodes) free of control-plane types.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace reg::state {

// Daemon-wide numbers that must never go back: ids are never reused.
struct Counters {
  std::uint64_t last_route_number = 0;
  std::uint64_t sessions_created = 0;
};

struct StoredState {
  Counters counters;
  std::vector<std::pair<std::string, std::string>> sessions;  // (id, body)
};

// What changed since the last commit. Applied all or nothing.
struct StateChanges {
  Counters counters;
  std::vector<std::pair<std::string, std::string>> upserts;  // (id, body)
  std::vector<std::string> removals;                         // ids
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual Result<StoredState> load() = 0;
  // Returns once the changes are durable (they survive a crash or power
  // loss), or with an error after which nothing of them may be assumed.
  // Called from one thread at a time, not necessarily the control thread.
  virtual Status commit(const StateChanges& changes) = 0;
};

}  // namespace reg::state
