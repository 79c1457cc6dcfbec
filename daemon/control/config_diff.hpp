#pragma once
// CONFIG_DIFF (PROTOCOL.md §5 "Configuration"): the summary older clients read
// plus every change in full, so a client can draw a real diff.
#include <cstddef>

#include <nlohmann/json.hpp>

#include "daemon/control/session_config.hpp"

namespace reg::control {

nlohmann::json config_diff(const SessionConfig& active, const SessionConfig& staged);

// The number of entries config_diff's "changes" list would have.
std::size_t count_changes(const SessionConfig& active, const SessionConfig& staged);

}  // namespace reg::control
