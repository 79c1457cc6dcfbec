#pragma once
// regd's command line: a flag for every setting of setting_table(), plus
// --config and --check-config. Kept after start-up, because on SIGHUP the
// flags still override the reloaded file.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace reg::config {

struct CommandLine {
  std::optional<std::filesystem::path> config_file;  // --config
  bool check_config = false;                          // --check-config
  std::map<std::string, std::string, std::less<>> flag_values;  // setting key -> text, given flags only
};

// Ok: the flags given, each value already checked. Error with an empty
// message: --help or --version was printed, exit 0. Other errors: print, exit 2.
Result<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace reg::config
