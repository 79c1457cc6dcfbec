#pragma once
// One entry of ROUTE_ADD_BULK's JSON array, checked as ROUTE_ADD checks its
// fields: {"domains":[…] or "a,b","path":…,"backend_url":…,"priority":…}.
#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "daemon/control/session_config.hpp"

namespace reg::control {

Result<RouteSpec> parse_bulk_route_entry(const nlohmann::json& entry);

}  // namespace reg::control
