#pragma once
// RFC 3339 UTC timestamps, the protocol's `time` format ("2026-11-22T10:30:00Z").
#include <chrono>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace reg {

using SystemClock = std::chrono::system_clock;

std::string format_time(SystemClock::time_point time);
Result<SystemClock::time_point> parse_time(std::string_view text);

}  // namespace reg
