#pragma once
// SIGHUP: reads the configuration again and applies what a running daemon can
// change (the settings marked on_reload in setting_table()); listen addresses
// and workers are only logged as needing a restart. A file that does not load
// changes nothing. Runs on the control thread, like everything it touches.
#include <string>
#include <vector>

#include "daemon/config/daemon_options.hpp"

namespace reg::control {
class ControlPlane;
}

namespace reg::config {

struct SettingChanges {
  std::vector<std::string> applied;       // keys now live
  std::vector<std::string> need_restart;  // keys whose new value waits for a restart
};

// The settings whose value differs between `current` and `next`.
SettingChanges compare_settings(const LoadedOptions& current, const LoadedOptions& next);

class ConfigReloader {
 public:
  ConfigReloader(CommandLine command_line, LoadedOptions loaded, control::ControlPlane& plane,
                 proxy::ProxyServer& proxy);

  // The settings in force (the restart-only ones as the daemon started).
  const DaemonOptions& options() const { return current_.options; }
  // Error: the file did not load; the old settings stay.
  Result<SettingChanges> reload();

 private:
  CommandLine command_line_;
  LoadedOptions current_;
  control::ControlPlane& plane_;
  proxy::ProxyServer& proxy_;
};

}  // namespace reg::config
