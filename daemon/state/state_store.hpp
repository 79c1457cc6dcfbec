#pragma once
// Where the control plane's state survives a restart (DESIGN.md "State").
// The store knows rows, not sessions: a session is an opaque encoded body
// under its id, with numbered items (in regd: its routes), plus two
// daemon-wide counters. That keeps a second implementation (etcd for several
// nodes) free of control-plane types.
//
// A session's items come in two sets: the applied items, and a staged
// overlay naming only the items that differ from them. Staging writes one
// item; making the overlay the applied set is one change, whatever its size,
// so a commit costs what changed, not what the session holds.
#include <cstdint>
#include <optional>
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

// An item's body, or none: in a staged overlay, removed when applied.
using ItemBody = std::optional<std::string>;

struct StoredSession {
  std::string id;
  std::string body;
  std::vector<std::pair<std::uint64_t, std::string>> applied;  // by number
  std::vector<std::pair<std::uint64_t, ItemBody>> staged;      // the overlay, by number
};

struct StoredState {
  Counters counters;
  std::vector<StoredSession> sessions;
};

struct ItemChange {
  enum class Kind {
    stage,          // overlay[number] = body (none: removed when applied)
    unstage,        // the overlay forgets number
    apply_staged,   // applied = applied with the overlay over it; the overlay empties
    drop_staged,    // the overlay empties
    drop_all,       // applied and overlay empty
    set_applied,    // applied[number] = body, bypassing the overlay
  };
  Kind kind;
  std::string session;
  std::uint64_t number = 0;
  ItemBody body;
};

// What changed since the last commit. Applied all or nothing: the item
// changes in order, then the session bodies; removing a session removes its
// items too.
struct StateChanges {
  Counters counters;
  std::vector<ItemChange> items;
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
  // Bounded housekeeping of the stored form that changes nothing load()
  // returns; true when there may be more. Called between commits, from the
  // thread that commits.
  virtual Result<bool> tidy() { return false; }
};

}  // namespace reg::state
