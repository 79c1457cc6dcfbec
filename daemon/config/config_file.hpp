#pragma once
// regd.conf: a flat TOML file whose keys are the settings of setting_table()
// (regd.conf(5)). Reading checks the syntax and the keys; the values are
// checked when they are assigned, with the line kept for the message.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace reg::config {

inline const std::filesystem::path kDefaultConfigFile = "/etc/regd/regd.conf";

struct FileSetting {
  std::string key;
  std::string text;  // the value as a flag would give it: 30s, 8, 10.0.0.0/8,fd00::/8
  std::uint32_t line = 0;
};

// Errors name the file and the line: "regd.conf:3: unknown key 'sesion_grace'".
Result<std::vector<FileSetting>> read_config_file(const std::filesystem::path& path);

// "regd.conf:3: session_grace: invalid duration: 'soon' (…)"
std::string file_error(const std::filesystem::path& path, std::uint32_t line, std::string_view message);

}  // namespace reg::config
