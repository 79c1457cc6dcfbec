#pragma once
// regctl as users run it: a real process with its own environment, stdin,
// stdout, stderr and exit status, pointed at a RegdProcess. Each runner has a
// private config directory (XDG_CONFIG_HOME) so contexts never leak between
// tests or into the real user's.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/value_parsers.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {

struct RegctlResult {
  int exit_code = -1;  // the exit status, or 128 + signal
  std::string out;
  std::string err;
};

// Environment changes for one run: a value sets the variable, nullopt unsets it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

// A regctl started in the background (events, --watch), collecting its output
// until it ends.
class BackgroundRegctl {
 public:
  BackgroundRegctl(pid_t pid, int out_fd, int err_fd);
  ~BackgroundRegctl();
  BackgroundRegctl(const BackgroundRegctl&) = delete;
  BackgroundRegctl& operator=(const BackgroundRegctl&) = delete;

  std::string out_so_far() const;
  // Sends SIGINT (Ctrl-C) and waits for the process to end.
  RegctlResult interrupt();

 private:
  RegctlResult wait();

  pid_t pid_;
  mutable std::mutex mutex_;
  std::string out_;
  std::string err_;
  std::thread reader_;
};

class Regctl {
 public:
  // REGCTL_SERVER points at `server`; REGCTL_SESSION, REGCTL_TOKEN and
  // NO_COLOR start unset.
  explicit Regctl(const HostPort& server);

  // Sets (or with nullopt unsets) a variable for every later run.
  void set_env(const std::string& name, std::optional<std::string> value);
  const std::filesystem::path& config_home() const { return config_home_.path(); }
  std::filesystem::path config_file() const { return config_home() / "regctl" / "config.toml"; }

  // Runs regctl to the end (killed after 30 s) with `input` on its stdin.
  RegctlResult run(const std::vector<std::string>& args, const EnvChanges& env = {},
                   const std::string& input = "") const;
  // Runs another program (argv[0] a path) with the environment regctl would
  // get: a shell exercising a completion script reaches the same regd.
  RegctlResult run_program(const std::vector<std::string>& command, const EnvChanges& env = {},
                           const std::string& input = "") const;
  std::unique_ptr<BackgroundRegctl> start(const std::vector<std::string>& args, const EnvChanges& env = {}) const;

  // The environment of a run ("NAME=value" entries) with `changes` applied.
  std::vector<std::string> environment(const EnvChanges& changes) const;

 private:

  TempDir config_home_;
  EnvChanges env_;
};

}  // namespace reg::test
