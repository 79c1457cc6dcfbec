#include "support/regd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/client_connection.hpp"
#include "support/free_port.hpp"
#include "support/private_daemon_flags.hpp"
#include "support/sanitizer_report.hpp"

#ifndef REGD_BINARY
#error "REGD_BINARY must name the regd executable under test"
#endif

namespace reg::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto startup_limit = 10s;
constexpr auto stop_grace = 5s;

std::mutex running_mutex;
std::set<const RegdProcess*> running_daemons;

HostPort loopback(std::uint16_t port) { return HostPort{"127.0.0.1", port}; }

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

bool accepts_connections(const HostPort& address) {
  return ClientConnection::connect(address, Milliseconds{200}).ok();
}

}  // namespace

RegdProcess::RegdProcess(std::vector<std::string> extra_flags)
    : dir_("regd-test"), log_path_(dir_.path() / "regd.log") {
  std::string failure;
  // Free ports are released before regd binds them, so a parallel test can win
  // one of them; only that race is worth another attempt.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (try_start(extra_flags, failure)) {
      std::lock_guard lock(running_mutex);
      running_daemons.insert(this);
      return;
    }
    if (log_tail().find("in use") == std::string::npos) break;
  }
  throw std::runtime_error("regd did not start: " + failure + "\n--- regd log ---\n" + log_tail());
}

RegdProcess::~RegdProcess() {
  // An exception outside an assertion (a helper that got no reply) unwinds the
  // test before Catch reports it, so this is the last chance to show the log.
  if (std::uncaught_exceptions() > 0) print_log_once();
  stop();
}

bool RegdProcess::try_start(const std::vector<std::string>& extra_flags, std::string& failure) {
  control_ = loopback(free_loopback_port());
  do {
    proxy_ = loopback(free_loopback_port());
  } while (proxy_.port == control_.port);
  do {
    admin_ = loopback(free_loopback_port());
  } while (admin_.port == control_.port || admin_.port == proxy_.port);

  std::vector<std::string> arguments{REGD_BINARY};
  arguments.insert(arguments.end(), {"--control", control_.to_string()});
  arguments.insert(arguments.end(), {"--listen", proxy_.to_string()});
  arguments.insert(arguments.end(), {"--admin", admin_.to_string()});
  const auto flags = with_private_config_and_state(extra_flags, dir_.path());
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) throw std::runtime_error("cannot open " + log_path_.string());
  const std::string dir = dir_.path().string();

  pid_ = ::fork();
  if (pid_ == 0) {
    // Only async-signal-safe calls between fork and exec: the test is multithreaded.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned daemons if the test binary dies
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    // Sockets of test backends must not live on in regd, or a stopped backend's
    // port would keep accepting.
    ::close_range(3, ~0U, 0);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
  return wait_until_ready(failure);
}

bool RegdProcess::wait_until_ready(std::string& failure) {
  const auto deadline = Clock::now() + startup_limit;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      failure = "regd " + describe_wait_status(status);
      return false;
    }
    if (accepts_connections(control_) && accepts_connections(proxy_) && accepts_connections(admin_)) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  failure = "its ports did not all accept connections within 10 s";
  return false;
}

int RegdProcess::stop() {
  if (pid_ <= 0) return exit_status_;
  {
    std::lock_guard lock(running_mutex);
    running_daemons.erase(this);
  }
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + stop_grace;
  while (::waitpid(pid_, &exit_status_, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      std::cerr << "regd (pid " << pid_ << ") ignored SIGTERM for 5 s; killing it\n";
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &exit_status_, 0);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  pid_ = -1;
  fail_on_sanitizer_report("regd", whole_log());
  return exit_status_;
}

std::optional<int> RegdProcess::wait_for_exit(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return exit_status_;
  const auto deadline = Clock::now() + limit;
  while (::waitpid(pid_, &exit_status_, WNOHANG) == 0) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
  {
    std::lock_guard lock(running_mutex);
    running_daemons.erase(this);
  }
  pid_ = -1;
  fail_on_sanitizer_report("regd", whole_log());
  return exit_status_;
}

void RegdProcess::kill() {
  if (pid_ <= 0) return;
  {
    std::lock_guard lock(running_mutex);
    running_daemons.erase(this);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &exit_status_, 0);
  pid_ = -1;
}

std::string RegdProcess::whole_log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string RegdProcess::log_tail(std::size_t lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const auto& line : tail) text += line + '\n';
  return text;
}

void RegdProcess::print_log_once() const {
  if (log_printed_) return;
  log_printed_ = true;
  std::cerr << "--- last lines of the log of regd (pid " << pid_ << ", control " << control_.to_string()
            << ") ---\n"
            << log_tail();
  // A crash leaves no line in the log; WNOWAIT leaves the status for stop().
  siginfo_t info{};
  if (pid_ > 0 && ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
      info.si_pid == pid_) {
    std::cerr << "regd is no longer running: "
              << (info.si_code == CLD_EXITED ? "exited with status " : "killed by signal ") << info.si_status
              << "\n";
  }
  std::cerr << "--- end of regd log ---\n";
}

void RegdProcess::print_running_logs() {
  std::lock_guard lock(running_mutex);
  for (const RegdProcess* daemon : running_daemons) daemon->print_log_once();
}

}  // namespace reg::test
