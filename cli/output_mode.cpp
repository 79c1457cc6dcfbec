#include "cli/output_mode.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "cli/exit_codes.hpp"

namespace regctl {
namespace {

// https://no-color.org: any non-empty NO_COLOR turns colour off.
bool colour_disabled_by_environment() {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return (no_colour && *no_colour) || (term && std::string_view(term) == "dumb");
}

}  // namespace

Format OutputMode::format_for(bool single_value) const {
  if (requested) return *requested;
  if (stdout_terminal || !single_value) return Format::table;
  return Format::plain;
}

OutputMode resolve_output(const std::optional<std::string>& output, const std::optional<std::string>& colour) {
  OutputMode mode;
  mode.stdout_terminal = ::isatty(STDOUT_FILENO) == 1;
  mode.stderr_terminal = ::isatty(STDERR_FILENO) == 1;
  if (output) {
    if (*output == "table") mode.requested = Format::table;
    else if (*output == "wide") mode.requested = Format::wide;
    else if (*output == "json") mode.requested = Format::json;
    else if (*output == "plain") mode.requested = Format::plain;
    else throw Failure(exit_usage, "invalid --output " + *output + " (expected table, wide, json or plain)");
  }
  const std::string when = colour.value_or("auto");
  if (when == "always") {
    mode.colour = true;
    mode.borders = true;
  } else if (when == "never") {
    mode.colour = false;
    mode.borders = mode.stdout_terminal;
  } else if (when == "auto") {
    mode.colour = mode.stdout_terminal && !colour_disabled_by_environment();
    mode.borders = mode.stdout_terminal;
  } else {
    throw Failure(exit_usage, "invalid --color " + when + " (expected auto, always or never)");
  }
  return mode;
}

}  // namespace regctl
