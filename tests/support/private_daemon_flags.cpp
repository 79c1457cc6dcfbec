#include "support/private_daemon_flags.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace reg::test {
namespace {

bool has_flag(const std::vector<std::string>& flags, const std::string& flag) {
  return std::any_of(flags.begin(), flags.end(),
                     [&](const std::string& word) { return word == flag || word.starts_with(flag + "="); });
}

}  // namespace

std::vector<std::string> with_private_config_and_state(std::vector<std::string> flags,
                                                       const std::filesystem::path& dir) {
  if (!has_flag(flags, "--config")) {
    const auto empty_config = dir / "empty.conf";
    if (!std::ofstream(empty_config)) throw std::runtime_error("cannot write " + empty_config.string());
    flags.insert(flags.end(), {"--config", empty_config.string()});
  }
  if (!has_flag(flags, "--state-dir")) flags.insert(flags.end(), {"--state-dir", (dir / "state").string()});
  return flags;
}

}  // namespace reg::test
