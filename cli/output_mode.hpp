#pragma once
// How regctl prints: the format (-o), colour (--color, NO_COLOR) and table
// borders, decided once from the flags and whether stdout is a terminal.
#include <optional>
#include <string>

namespace regctl {

enum class Format { table, wide, json, plain };

struct OutputMode {
  std::optional<Format> requested;  // -o as given
  bool colour = false;
  bool borders = false;            // box-drawn tables: a terminal, or --color always
  bool stdout_terminal = false;
  bool stderr_terminal = false;

  // -o, else a table on a terminal; off a terminal, bare values for replies
  // that are a single value and tables (without borders) for the rest.
  Format format_for(bool single_value) const;
};

// Throws a usage Failure for an unknown -o or --color value.
OutputMode resolve_output(const std::optional<std::string>& output, const std::optional<std::string>& colour);

}  // namespace regctl
