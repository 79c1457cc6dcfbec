#include "support/spawned_regd.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/private_daemon_flags.hpp"
#include "support/sanitizer_report.hpp"

#ifndef REGD_BINARY
#error "REGD_BINARY must name the regd executable under test"
#endif

extern char** environ;

namespace reg::test {

SpawnedRegd::SpawnedRegd(const std::vector<std::string>& args) : dir_("regd-spawned") {
  std::vector<std::string> arguments{REGD_BINARY};
  const auto flags = with_private_config_and_state(args, dir_.path());
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  const std::string log = (dir_.path() / "regd.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + arguments[0]);
}

SpawnedRegd::~SpawnedRegd() {
  if (pid_ > 0) wait_for_exit(SIGKILL);
}

int SpawnedRegd::wait_for_exit(int signal) {
  if (pid_ <= 0) return exit_code_;
  if (signal != 0) ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  fail_on_sanitizer_report("regd", output());
  return exit_code_;
}

std::string SpawnedRegd::output() const {
  std::ifstream in(dir_.path() / "regd.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

RegdRun run_regd(const std::vector<std::string>& args) {
  SpawnedRegd regd(args);
  RegdRun run;
  run.exit_code = regd.wait_for_exit();
  run.output = regd.output();
  return run;
}

}  // namespace reg::test
