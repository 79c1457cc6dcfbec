#pragma once
// What keeps a regd started by a test away from the machine it runs on: an
// installed package puts a configuration in /etc/regd/regd.conf, which regd
// reads when no --config is given, and its default state directory is the
// package's /var/lib/regd.
#include <filesystem>
#include <string>
#include <vector>

namespace reg::test {

// `flags`, plus `--config` naming an empty file in `dir` and `--state-dir`
// naming `dir`/state, each unless `flags` already has it.
std::vector<std::string> with_private_config_and_state(std::vector<std::string> flags,
                                                       const std::filesystem::path& dir);

}  // namespace reg::test
