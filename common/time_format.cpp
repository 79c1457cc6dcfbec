#include "common/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace reg {

std::string format_time(SystemClock::time_point time) {
  const std::time_t seconds = SystemClock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Result<SystemClock::time_point> parse_time(std::string_view text) {
  std::tm utc{};
  int consumed = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
                  &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &consumed) != 6 ||
      consumed != static_cast<int>(copy.size())) {
    return make_error("invalid time: " + copy + " (expected RFC 3339 UTC, e.g. 2026-11-22T10:30:00Z)");
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return SystemClock::from_time_t(timegm(&utc));
}

}  // namespace reg
