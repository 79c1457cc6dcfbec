#include "daemon/config/command_line.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "common/version.hpp"
#include "daemon/config/config_file.hpp"
#include "daemon/config/setting_table.hpp"

namespace reg::config {

Result<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine command_line;
  CLI::App app{"regd: dynamic reverse proxy with a registry control plane (protocol v2)", "regd"};
  app.set_version_flag("--version", "regd " + version());

  std::string config_file;
  app.add_option("--config", config_file,
                 "configuration file (regd.conf(5)); flags override it (default: " + kDefaultConfigFile.string() +
                     " if it exists)")
      ->type_name("FILE");
  app.add_flag("--check-config", command_line.check_config, "check the configuration and flags, then exit");

  // Every value is stored as text and checked by the setting's own parser,
  // the same one the configuration file goes through.
  std::map<std::string, std::string, std::less<>> values;
  for (const auto& spec : setting_table()) {
    auto* option = app.add_option(flag_name(spec.key), values[std::string(spec.key)], std::string(spec.help))
                       ->type_name(std::string(spec.value_name));
    if (!spec.default_text.empty()) option->default_str(std::string(spec.default_text));
    option->check(CLI::Validator(
        [&spec](std::string& text) -> std::string {
          DaemonOptions scratch;
          auto assigned = spec.assign(text, scratch);
          return assigned ? std::string() : assigned.error();
        },
        ""));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return make_error("");
  } catch (const CLI::CallForVersion&) {
    std::cout << "regd " << version() << "\n";
    return make_error("");
  } catch (const CLI::ParseError& error) {
    return make_error(error.what());
  }

  if (!config_file.empty()) command_line.config_file = config_file;
  for (const auto& spec : setting_table()) {
    if (app.count(flag_name(spec.key)) > 0)
      command_line.flag_values.emplace(std::string(spec.key), values[std::string(spec.key)]);
  }
  return command_line;
}

}  // namespace reg::config
