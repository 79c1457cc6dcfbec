#pragma once
// The real regd binary as a child process, on loopback ports of its own, with a
// private working directory and a log file. Every test starts its own daemon so
// tests can run in parallel; the destructor stops it.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/value_parsers.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {

class RegdProcess {
 public:
  // Starts regd with --control/--listen/--admin on free loopback ports plus
  // `extra_flags`, and returns once all three ports accept connections. Throws
  // with the end of the daemon's log if it does not come up within 10 s.
  // Without a --state-dir in `extra_flags`, the state lives in the private
  // directory and goes with it; without a --config, regd reads an empty file
  // there, never /etc/regd/regd.conf.
  explicit RegdProcess(std::vector<std::string> extra_flags = {});
  ~RegdProcess();
  RegdProcess(const RegdProcess&) = delete;
  RegdProcess& operator=(const RegdProcess&) = delete;

  const HostPort& control() const { return control_; }
  const HostPort& proxy() const { return proxy_; }
  const HostPort& admin() const { return admin_; }
  pid_t pid() const { return pid_; }

  // SIGTERM, then SIGKILL if regd is still there after 5 s. Returns the wait()
  // status; idempotent.
  int stop();
  // Waits up to `limit` for regd to end by itself (after a signal the test
  // sent); its wait() status, or nullopt if it is still running.
  std::optional<int> wait_for_exit(std::chrono::milliseconds limit);
  // SIGKILL, as a crash or power cut would end it: nothing is flushed.
  void kill();

  // The last `lines` lines regd wrote to stdout and stderr.
  std::string log_tail(std::size_t lines = 50) const;
  std::string whole_log() const;

  // Prints the log tail of every running daemon to stderr, once per daemon;
  // called when an assertion fails so the daemon's side of the story is in the
  // test output.
  static void print_running_logs();

 private:
  bool try_start(const std::vector<std::string>& extra_flags, std::string& failure);
  bool wait_until_ready(std::string& failure);
  void print_log_once() const;

  TempDir dir_;
  std::filesystem::path log_path_;
  HostPort control_;
  HostPort proxy_;
  HostPort admin_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
  mutable bool log_printed_ = false;
};

}  // namespace reg::test
