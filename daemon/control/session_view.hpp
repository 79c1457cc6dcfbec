#pragma once
// How a session looks from outside: its SESSION_INFO object and the status
// of each of its routes (ROUTE_LIST).
#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/control/session.hpp"

namespace reg::control {

// "active", "staged" (new or modified, not yet applied) or "pending_removal".
using RouteVisitor = std::function<void(std::uint64_t number, const RouteSpec& route, std::string_view status)>;
// Every route of the session, active and staged, sorted by route number.
void visit_routes(const Session& session, const RouteVisitor& visit);

// True when the session has the route, active or staged.
bool session_has_route(const Session& session, std::uint64_t number);

nlohmann::json session_json(const Session& session, SystemTime now);

}  // namespace reg::control
