#include "daemon/config/daemon_options.hpp"

#include <algorithm>
#include <thread>

#include "daemon/config/config_file.hpp"
#include "daemon/config/setting_table.hpp"
#include "daemon/proxy/cpu_quota.hpp"

namespace reg::config {

Result<LoadedOptions> load_daemon_options(const CommandLine& command_line) {
  LoadedOptions loaded;
  DaemonOptions& options = loaded.options;
  // The CPUs of the affinity mask, not of the machine, and no more than the
  // control group's CPU quota: under taskset, systemd's CPUAffinity= or
  // CPUQuota=, or a container's CPU limit more workers would only take turns.
  const std::size_t mask_cpus = proxy::allowed_cpus().size();
  const std::size_t cpus = mask_cpus > 0 ? mask_cpus : std::thread::hardware_concurrency();
  options.proxy.workers = std::min(proxy::default_worker_count(cpus, proxy::cgroup_cpu_quota()), 256u);
  for (const auto& spec : setting_table()) {
    if (spec.default_text.empty()) continue;
    [[maybe_unused]] Status assigned = spec.assign(spec.default_text, options);
    loaded.values[std::string(spec.key)] = spec.default_text;
  }

  if (command_line.config_file) {
    loaded.config_file = command_line.config_file;
  } else if (std::error_code error; std::filesystem::exists(kDefaultConfigFile, error)) {
    loaded.config_file = kDefaultConfigFile;
  }
  if (loaded.config_file) {
    auto file_settings = read_config_file(*loaded.config_file);
    if (!file_settings) return Error{file_settings.error()};
    for (const auto& setting : *file_settings) {
      if (Status assigned = find_setting(setting.key)->assign(setting.text, options); !assigned)
        return make_error(file_error(*loaded.config_file, setting.line, setting.key + ": " + assigned.error()));
      loaded.values[setting.key] = setting.text;
    }
  }

  // Flags last: they override the file, whose values were still all checked.
  for (const auto& [key, text] : command_line.flag_values) {
    if (Status assigned = find_setting(key)->assign(text, options); !assigned)
      return make_error(flag_name(key) + ": " + assigned.error());
    loaded.values[key] = text;
  }
  return loaded;
}

}  // namespace reg::config
