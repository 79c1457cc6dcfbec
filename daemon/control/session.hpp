#pragma once
// One registered service instance (PROTOCOL.md §4): identity, lease, its
// active and staged configuration, and its operational state.
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/value_parsers.hpp"
#include "daemon/control/session_config.hpp"
#include "daemon/proxy/drain_window.hpp"

namespace reg::control {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;
using ConnectionId = std::uint64_t;
constexpr ConnectionId kNoConnection = 0;

enum class Lease { connection, persistent };

struct Maintenance {
  bool all = false;                   // every route, also ones applied later
  std::set<std::uint64_t> routes;     // when not `all`
  // With `all`: routes a MAINT_EXIT took out one by one. `ALL` still covers
  // routes applied later, until MAINT_EXIT|…|ALL (PROTOCOL.md §5).
  std::set<std::uint64_t> excepted;
  std::optional<BackendUrl> backend;  // proxied instead of the built-in page
  SystemTime entered_at;

  bool covers(std::uint64_t route) const { return all ? excepted.count(route) == 0 : routes.count(route) > 0; }
  bool active() const { return all || !routes.empty(); }
};

struct Session {
  std::string id;
  std::string service_name;
  std::string instance_name;
  std::int64_t maintenance_port = 0;
  nlohmann::json metadata = nlohmann::json::object();
  Lease lease = Lease::connection;

  SystemTime connected_at;
  SystemTime last_activity;
  std::optional<SystemTime> last_apply;

  // Connection lease: who holds it, and since when it has been detached.
  ConnectionId holder = kNoConnection;
  std::optional<SteadyTime> detached_since;

  SessionConfig active;
  std::optional<SessionConfig> staged;  // a full copy, made by the first staging command
  SteadyTime last_staged_at;
  // "domain\0path" -> route number, over view(): the conflict index.
  std::unordered_map<std::string, std::uint64_t> route_keys;

  std::optional<proxy::DrainWindow> drain;
  bool drain_completed_announced = false;
  Maintenance maintenance;

  bool detached() const { return lease == Lease::connection && detached_since.has_value(); }
  // The configuration as staging commands see it: staged if any, else active.
  const SessionConfig& view() const { return staged ? *staged : active; }
  // The staged copy, made on first use; counts as staging activity.
  SessionConfig& staging(SteadyTime now);
  // Makes route_keys match view() again (after apply, rollback, expiry).
  void rebuild_route_keys();
  void index_route(std::uint64_t number, const RouteSpec& route);
  void unindex_route(const RouteSpec& route);
  // The first route of view() other than `except` that serves one of the
  // domains on `path`, with the clashing "domain/path".
  std::optional<std::pair<std::uint64_t, std::string>> find_conflict(const RouteSpec& route,
                                                                      std::uint64_t except) const;
};

std::string route_key(std::string_view domain, std::string_view path);

}  // namespace reg::control
