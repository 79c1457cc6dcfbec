#pragma once
// The CLI11 app built from command_tree(), and what one command line asks for.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_tree.hpp"
#include "cli/connection_settings.hpp"

namespace regctl {

struct CommandLine {
  const Command* command = nullptr;
  GlobalFlags connection;
  std::optional<std::string> output;
  std::optional<std::string> colour;
  // Values by positional name or flag name ("--domains"); switches that were
  // given map to an empty list.
  std::map<std::string, std::vector<std::string>, std::less<>> values;

  bool has(std::string_view name) const { return values.find(name) != values.end(); }
  // The value given, else the argument's default, else nothing.
  std::optional<std::string> value(const Argument& argument, std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
};

// Parses argv. Help and --version print and give exit_success; a bad command
// line prints CLI11's message and gives exit_usage. Either way no command runs.
struct ParseResult {
  std::optional<CommandLine> line;
  int exit_code = 0;
};
ParseResult parse_command_line(int argc, char** argv);

}  // namespace regctl
