#pragma once
// regd as a bare child process: no ports chosen for it and no waiting until it
// accepts, for tests that watch start-up themselves (a configuration that
// fails, --check-config, sd_notify). RegdProcess is the usual way to run one.
#include <sys/types.h>

#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace reg::test {

class SpawnedRegd {
 public:
  // Starts regd with `args`, its stdout and stderr in one log file. An empty
  // configuration file and a state directory of its own are added unless
  // `args` name them (with_private_config_and_state).
  explicit SpawnedRegd(const std::vector<std::string>& args);
  ~SpawnedRegd();
  SpawnedRegd(const SpawnedRegd&) = delete;
  SpawnedRegd& operator=(const SpawnedRegd&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to 20 s for regd to end (then kills it); its exit status, or
  // 128 + signal. With `signal` non-zero, sends it first.
  int wait_for_exit(int signal = 0);
  std::string output() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

struct RegdRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs regd to its end.
RegdRun run_regd(const std::vector<std::string>& args);

}  // namespace reg::test
