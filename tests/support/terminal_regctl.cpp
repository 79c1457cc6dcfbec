#include "support/terminal_regctl.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#ifndef REGCTL_BINARY
#error "REGCTL_BINARY must name the regctl executable under test"
#endif

namespace reg::test {
namespace {

using Clock = std::chrono::steady_clock;

// What a terminal shows of `raw`, as plain text: control sequences (cursor
// moves, colours, clearing) and CR and BEL dropped, everything else kept.
std::string visible(const std::string& raw) {
  std::string text;
  for (std::size_t index = 0; index < raw.size(); ++index) {
    const char c = raw[index];
    if (c == '\x1b') {
      if (index + 1 < raw.size() && raw[index + 1] == '[') {
        index += 2;
        while (index < raw.size() && !(raw[index] >= '@' && raw[index] <= '~')) ++index;
      } else {
        ++index;
      }
      continue;
    }
    if (c == '\r' || c == '\a') continue;
    text += c;
  }
  return text;
}

}  // namespace

TerminalRegctl::TerminalRegctl(const Regctl& regctl, const std::vector<std::string>& args, const EnvChanges& env)
    : home_("regctl-terminal"), state_home_(home_.path() / "state") {
  EnvChanges terminal_env{{"TERM", "xterm"}, {"HOME", home_.path().string()}, {"XDG_STATE_HOME", state_home_.string()}};
  for (const auto& [name, value] : env) terminal_env[name] = value;
  std::vector<std::string> arguments{REGCTL_BINARY};
  arguments.insert(arguments.end(), args.begin(), args.end());
  const auto environment = regctl.environment(terminal_env);
  std::vector<char*> argv, envp;
  for (auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  winsize size{};
  size.ws_row = 50;
  size.ws_col = 160;
  pid_ = ::forkpty(&master_fd_, nullptr, nullptr, &size);
  if (pid_ < 0) throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
  if (pid_ == 0) {
    // Only async-signal-safe calls between fork and exec: the test is multithreaded.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
}

TerminalRegctl::~TerminalRegctl() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (master_fd_ >= 0) ::close(master_fd_);
}

void TerminalRegctl::type(std::string_view keys) {
  while (!keys.empty()) {
    const ssize_t written = ::write(master_fd_, keys.data(), keys.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // regctl has gone; the next wait says so
    keys.remove_prefix(static_cast<std::size_t>(written));
  }
}

long TerminalRegctl::read_some(std::chrono::milliseconds wait) {
  pollfd entry{master_fd_, POLLIN, 0};
  const int ready = ::poll(&entry, 1, static_cast<int>(wait.count()));
  if (ready < 0) return errno == EINTR ? 0 : -1;
  if (ready == 0) return 0;
  char chunk[4096];
  const ssize_t count = ::read(master_fd_, chunk, sizeof chunk);
  if (count < 0 && errno == EINTR) return 0;
  if (count <= 0) return -1;  // EIO: the terminal's other side is closed
  raw_.append(chunk, static_cast<std::size_t>(count));
  return count;
}

bool TerminalRegctl::wait_for(std::string_view text, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    const std::string shown = visible(raw_);
    const auto found = shown.find(text, matched_);
    if (found != std::string::npos) {
      matched_ = found + text.size();
      return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || read_some(left) < 0) return false;
  }
}

void TerminalRegctl::read_available() {
  while (read_some(std::chrono::milliseconds(0)) > 0) {
  }
}

std::string TerminalRegctl::screen_text() {
  read_available();
  return visible(raw_);
}

std::size_t TerminalRegctl::bells() {
  read_available();
  return static_cast<std::size_t>(std::count(raw_.begin(), raw_.end(), '\a'));
}

int TerminalRegctl::wait_for_exit(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t ended = ::waitpid(pid_, &status, WNOHANG);
    if (ended == pid_) break;
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
      return -1;
    }
    if (read_some(std::chrono::milliseconds(20)) < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  read_some(std::chrono::milliseconds(0));
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace reg::test
