#pragma once
// The protocol's `time` values: RFC 3339 UTC with seconds and a `Z`,
// "2026-11-22T10:30:00Z", checked independently of regd's own formatter.
#include <chrono>
#include <string_view>

namespace reg::test {

bool is_utc_timestamp(std::string_view text);
// Throws unless is_utc_timestamp(text).
std::chrono::system_clock::time_point parse_utc_timestamp(std::string_view text);

}  // namespace reg::test
