#pragma once
// Small builders shared by the unit tests of the protocol core and the
// control plane's pure parts.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/line_codec.hpp"
#include "common/result.hpp"
#include "common/value_parsers.hpp"
#include "daemon/control/session_config.hpp"

namespace unit {

// The error a client would read, or "(no error)" when the value was accepted,
// so a wrong acceptance shows up in the assertion message.
template <class T>
std::string error_of(const reg::Result<T>& result) {
  return result.ok() ? std::string("(no error)") : result.error();
}

// One protocol line through parse_command. The views in `command` point into
// `line`, which must outlive the outcome.
struct ParseOutcome {
  reg::ParseStatus status;
  reg::ParsedCommand command;
  std::string_view unknown_name;
};

inline ParseOutcome parse_line(std::string_view line) {
  ParseOutcome outcome{};
  outcome.status = reg::parse_command(line, outcome.command, outcome.unknown_name);
  return outcome;
}

// A route as a staging command would store it; `backend` in any form
// parse_backend_url accepts.
inline reg::control::RouteSpec make_route(std::vector<std::string> domains, std::string path = "/",
                                          std::string_view backend = "http://b:80", std::int64_t priority = 0) {
  return reg::control::RouteSpec{std::move(domains), std::move(path), *reg::parse_backend_url(backend), priority};
}

}  // namespace unit
