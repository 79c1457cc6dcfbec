#pragma once
// regd's settings, written once: each is a --flag and a key of the
// configuration file (regd.conf(5)) with the same name, `_` in the key where
// the flag has `-`. The command line, the file loader, SIGHUP reload, --help
// and the documentation test all read this table, so they cannot drift.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "daemon/config/daemon_options.hpp"

namespace reg::config {

// Whether SIGHUP can change a setting in a running daemon or only a restart.
enum class WhenApplied { on_reload, at_restart };

struct SettingSpec {
  std::string_view key;           // "session_grace"
  std::string_view value_name;    // "DURATION", shown in --help
  std::string_view default_text;  // empty: none, or one the help describes
  std::string_view help;
  WhenApplied applied;
  // Parses `text` (the flag's value, or the file's value as text) into
  // `options`; the error says what was expected, without the key.
  Status (*assign)(std::string_view text, DaemonOptions& options);
};

const std::vector<SettingSpec>& setting_table();
const SettingSpec* find_setting(std::string_view key);
// "session_grace" -> "--session-grace"
std::string flag_name(std::string_view key);

}  // namespace reg::config
