#pragma once
// CONFIG_VALIDATE, CONFIG_APPLY and CONFIG_APPLY_PARTIAL share one step: build
// the configuration as it would be after the apply and check it whole.
#include <bitset>
#include <cstddef>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/control/session_config.hpp"

namespace reg::control {

enum class ConfigKind { routes, headers, options, health, ratelimit, circuit };
using ConfigKinds = std::bitset<6>;

ConfigKinds all_config_kinds();
// Scope names as validate_field checked them ("routes", "headers", ...).
ConfigKinds config_kinds_from_scope(const std::vector<std::string>& scope);

// Takes the `kinds` parts of `staged` over `active`. Settings of kinds not
// taken that name a route the result no longer has are dropped (removing a
// route removes its applied settings); settings of kinds taken that do are an
// error ("health r1: route pending removal"), as is a session over its route limit.
Result<SessionConfig> plan_apply(const SessionConfig& active, const SessionConfig& staged, ConfigKinds kinds,
                                 std::size_t max_routes);

// The checks of plan_apply for a full apply, without building the result:
// after a full apply the configuration is `staged` itself, so a caller can
// check it in place and then move it (CONFIG_VALIDATE, CONFIG_APPLY).
Status check_full_apply(const SessionConfig& active, const SessionConfig& staged, std::size_t max_routes);

}  // namespace reg::control
