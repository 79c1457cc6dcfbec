#pragma once
// What regd runs with: every setting, whether it came from a default, the
// configuration file or a flag.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "daemon/admin/admin_server.hpp"
#include "daemon/config/command_line.hpp"
#include "daemon/control/control_settings.hpp"
#include "daemon/log.hpp"
#include "daemon/proxy/proxy_server.hpp"

namespace reg::config {

struct DaemonOptions {
  control::ControlSettings control;
  proxy::ProxySettings proxy;
  HostPort admin{"127.0.0.1", 9181};
  log::Level log_level = log::Level::info;
  Milliseconds shutdown_timeout{10'000};
  std::filesystem::path state_dir = "/var/lib/regd";
};

struct LoadedOptions {
  DaemonOptions options;
  // The text each setting was given (by default, file or flag), so a reload
  // can tell which settings changed.
  std::map<std::string, std::string, std::less<>> values;
  std::optional<std::filesystem::path> config_file;  // the file read, if any
};

// Defaults, then the configuration file (--config, or /etc/regd/regd.conf
// when it exists), then the flags. Called at start-up and on every SIGHUP.
// Errors name the file and line, or the flag.
Result<LoadedOptions> load_daemon_options(const CommandLine& command_line);

}  // namespace reg::config
