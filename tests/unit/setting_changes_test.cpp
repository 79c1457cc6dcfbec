// Which settings a SIGHUP reload applies and which wait for a restart.
#include <catch2/catch.hpp>

#include "daemon/config/config_reloader.hpp"

namespace reg::config {

TEST_CASE("compare_settings splits live changes from restart-only ones", "[config]") {
  LoadedOptions before;
  before.values = {{"log_level", "info"}, {"workers", "1"}, {"session_grace", "5m"}};
  LoadedOptions after = before;
  CHECK(compare_settings(before, after).applied.empty());
  CHECK(compare_settings(before, after).need_restart.empty());

  after.values["log_level"] = "debug";
  after.values["workers"] = "2";
  after.values.erase("session_grace");  // back to no value given
  after.values["trusted_proxies"] = "10.0.0.0/8";
  const SettingChanges changes = compare_settings(before, after);
  CHECK(changes.applied == std::vector<std::string>{"session_grace", "trusted_proxies", "log_level"});
  CHECK(changes.need_restart == std::vector<std::string>{"workers"});
}

TEST_CASE("compare_settings sees a rotated token in the same file", "[config]") {
  LoadedOptions before;
  before.values = {{"auth_token_file", "/etc/regd/token"}};
  before.options.control.auth_token = "old";
  LoadedOptions after = before;
  after.options.control.auth_token = "new";
  CHECK(compare_settings(before, after).applied == std::vector<std::string>{"auth_token_file"});
}

}  // namespace reg::config
