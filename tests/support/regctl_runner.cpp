#include "support/regctl_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

#include "support/sanitizer_report.hpp"

#ifndef REGCTL_BINARY
#error "REGCTL_BINARY must name the regctl executable under test"
#endif

extern char** environ;

namespace reg::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto run_limit = std::chrono::seconds(30);

struct Spawned {
  pid_t pid;
  int in_fd;
  int out_fd;
  int err_fd;
};

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
}

// `arguments` starts with the program's path.
Spawned spawn(const std::vector<std::string>& arguments, const std::vector<std::string>& env) {
  std::vector<char*> argv, envp;
  for (auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  for (const auto& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec: the test is multithreaded.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) throw std::runtime_error("fork failed");
  return {pid, in[1], out[0], err[0]};
}

void write_all(int fd, const std::string& data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t count = ::write(fd, data.data() + written, data.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;  // regctl did not read its stdin: fine
    written += static_cast<std::size_t>(count);
  }
}

// Reads both pipes until both are closed or `deadline` passes; true on EOF.
template <class Append>
bool drain_pipes(int out_fd, int err_fd, Clock::time_point deadline, Append append) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    if (::poll(fds, 2, static_cast<int>(left)) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (int index = 0; index < 2; ++index) {
      if (fds[index].fd < 0 || fds[index].revents == 0) continue;
      char chunk[4096];
      const ssize_t count = ::read(fds[index].fd, chunk, sizeof chunk);
      if (count > 0) {
        append(index, std::string_view(chunk, static_cast<std::size_t>(count)));
      } else if (count == 0 || errno != EINTR) {
        fds[index].fd = -1;
        --open;
      }
    }
  }
  return true;
}

int exit_status_of(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<std::string> regctl_command(const std::vector<std::string>& args) {
  std::vector<std::string> command{REGCTL_BINARY};
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

}  // namespace

Regctl::Regctl(const HostPort& server) : config_home_("regctl-config") {
  env_["REGCTL_SERVER"] = server.to_string();
  env_["XDG_CONFIG_HOME"] = config_home_.path().string();
  for (const char* name : {"REGCTL_SESSION", "REGCTL_TOKEN", "REGCTL_CONTEXT", "NO_COLOR", "TERM"}) env_[name] = std::nullopt;
}

void Regctl::set_env(const std::string& name, std::optional<std::string> value) { env_[name] = std::move(value); }

std::vector<std::string> Regctl::environment(const EnvChanges& changes) const {
  EnvChanges merged = env_;
  for (const auto& [name, value] : changes) merged[name] = value;
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    if (merged.count(text.substr(0, text.find('='))) == 0) entries.push_back(text);
  }
  for (const auto& [name, value] : merged)
    if (value) entries.push_back(name + "=" + *value);
  return entries;
}

RegctlResult Regctl::run(const std::vector<std::string>& args, const EnvChanges& env, const std::string& input) const {
  return run_program(regctl_command(args), env, input);
}

RegctlResult Regctl::run_program(const std::vector<std::string>& command, const EnvChanges& env,
                                 const std::string& input) const {
  const Spawned child = spawn(command, environment(env));
  write_all(child.in_fd, input);
  ::close(child.in_fd);
  RegctlResult result;
  const bool finished = drain_pipes(child.out_fd, child.err_fd, Clock::now() + run_limit,
                                    [&](int index, std::string_view data) { (index == 0 ? result.out : result.err) += data; });
  if (!finished) ::kill(child.pid, SIGKILL);
  ::close(child.out_fd);
  ::close(child.err_fd);
  result.exit_code = exit_status_of(child.pid);
  fail_on_sanitizer_report(command.front(), result.err);
  if (!finished) result.err += "\n[test harness: " + command.front() + " killed after 30 s]";
  return result;
}

std::unique_ptr<BackgroundRegctl> Regctl::start(const std::vector<std::string>& args, const EnvChanges& env) const {
  const Spawned child = spawn(regctl_command(args), environment(env));
  ::close(child.in_fd);
  return std::make_unique<BackgroundRegctl>(child.pid, child.out_fd, child.err_fd);
}

BackgroundRegctl::BackgroundRegctl(pid_t pid, int out_fd, int err_fd) : pid_(pid) {
  reader_ = std::thread([this, out_fd, err_fd] {
    drain_pipes(out_fd, err_fd, Clock::now() + std::chrono::minutes(5), [&](int index, std::string_view data) {
      std::lock_guard lock(mutex_);
      (index == 0 ? out_ : err_) += data;
    });
    ::close(out_fd);
    ::close(err_fd);
  });
}

BackgroundRegctl::~BackgroundRegctl() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

std::string BackgroundRegctl::out_so_far() const {
  std::lock_guard lock(mutex_);
  return out_;
}

RegctlResult BackgroundRegctl::interrupt() {
  ::kill(pid_, SIGINT);
  return wait();
}

RegctlResult BackgroundRegctl::wait() {
  // A regctl that ignores Ctrl-C must fail the test, not hang it.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  const auto ended = [this] {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_;
  };
  while (!ended() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(pid_, SIGKILL);  // no effect on a process that already ended
  RegctlResult result;
  result.exit_code = exit_status_of(pid_);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(mutex_);
  result.out = out_;
  result.err = err_;
  fail_on_sanitizer_report("regctl", result.err);
  return result;
}

}  // namespace reg::test
