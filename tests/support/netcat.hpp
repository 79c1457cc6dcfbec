#pragma once
// Talking to regd the way operators script it: one `nc` process per command.
#include <string>
#include <string_view>

#include "common/value_parsers.hpp"

namespace reg::test {

// Runs `printf '%s\n' LINE | nc -w 1 HOST PORT` and returns what nc printed,
// trailing newline removed. Throws if nc cannot be run.
std::string nc_command(const HostPort& server, std::string_view line);

}  // namespace reg::test
