#pragma once
// regd's command line: every flag, its default, and its validation.
#include <filesystem>
#include <string>

#include "common/result.hpp"
#include "daemon/admin/admin_server.hpp"
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

// Ok: options to run with. Error with an empty message: --help or
// --version was printed, exit 0. Other errors: print, exit 2.
Result<DaemonOptions> parse_daemon_options(int argc, char** argv);

}  // namespace reg::config
