#include "daemon/config/config_reloader.hpp"

#include <nlohmann/json.hpp>

#include "daemon/config/setting_table.hpp"
#include "daemon/control/control_plane.hpp"

namespace reg::config {
namespace {

std::string joined(const std::vector<std::string>& keys) {
  std::string text;
  for (const auto& key : keys) text += (text.empty() ? "" : ",") + key;
  return text;
}

}  // namespace

SettingChanges compare_settings(const LoadedOptions& current, const LoadedOptions& next) {
  SettingChanges changes;
  for (const auto& spec : setting_table()) {
    auto before = current.values.find(spec.key);
    auto after = next.values.find(spec.key);
    const bool had = before != current.values.end(), has = after != next.values.end();
    bool changed = had != has || (had && before->second != after->second);
    // Same file, new token: a rotated secret is a change too.
    if (spec.key == "auth_token_file") changed = changed || current.options.control.auth_token != next.options.control.auth_token;
    if (!changed) continue;
    (spec.applied == WhenApplied::on_reload ? changes.applied : changes.need_restart).emplace_back(spec.key);
  }
  return changes;
}

ConfigReloader::ConfigReloader(CommandLine command_line, LoadedOptions loaded, control::ControlPlane& plane,
                               proxy::ProxyServer& proxy)
    : command_line_(std::move(command_line)), current_(std::move(loaded)), plane_(plane), proxy_(proxy) {}

Result<SettingChanges> ConfigReloader::reload() {
  // For logrotate, whether or not the file loads.
  proxy_.reopen_access_log();
  auto next = load_daemon_options(command_line_);
  if (!next) {
    log::error("configuration not reloaded, the old settings stay", {{"error", next.error()}});
    return Error{next.error()};
  }
  const SettingChanges changes = compare_settings(current_, *next);

  // Restart-only settings keep the values the daemon runs with, so options()
  // describes what is in force and the next reload reports them again.
  DaemonOptions& live = next->options;
  const DaemonOptions& running = current_.options;
  live.control.listen = running.control.listen;
  live.proxy.listen = running.proxy.listen;
  live.proxy.workers = running.proxy.workers;
  live.admin = running.admin;
  for (const auto& key : changes.need_restart) {
    // A setting that was not set stays unset: an empty value would differ
    // from the file at every later reload.
    if (const auto running_value = current_.values.find(key); running_value != current_.values.end())
      next->values[key] = running_value->second;
    else
      next->values.erase(key);
  }

  log::set_level(live.log_level);
  plane_.update_settings(live.control);
  proxy_.set_trusted_proxies(*live.proxy.trusted_proxies.current());
  current_ = std::move(*next);

  log::info("configuration reloaded", {{"changed", joined(changes.applied)}});
  if (!changes.need_restart.empty())
    log::warn("restart regd to apply", {{"settings", joined(changes.need_restart)}});
  plane_.events().publish_global("global_config_changed", {{"reason", "reload"},
                                                           {"changed", changes.applied},
                                                           {"restart_required", changes.need_restart}});
  return changes;
}

}  // namespace reg::config
