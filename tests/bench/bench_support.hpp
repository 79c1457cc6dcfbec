#pragma once
// Small helpers shared by the control-plane benchmarks: a blocking loopback
// line client and a regd child process. Plain POSIX so a benchmark measures
// regd, not a client library.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../support/resident_memory.hpp"

namespace reg::bench {

// Benchmarks only ever talk to this machine.
constexpr const char* kLoopback = "127.0.0.1";

inline std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

inline sockaddr_in loopback_address(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, kLoopback, &address.sin_addr);
  return address;
}

// Returns a connected socket, or -1 when nothing listens on the port yet.
inline int try_connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw system_error("socket");
  const sockaddr_in address = loopback_address(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

inline int connect_loopback(std::uint16_t port) {
  const int fd = try_connect_loopback(port);
  if (fd < 0) throw system_error(std::string("connect ") + kLoopback + ":" + std::to_string(port));
  return fd;
}

inline std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw system_error("socket");
  sockaddr_in address = loopback_address(0);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!bound) throw system_error("cannot bind a loopback port");
  return ntohs(address.sin_port);
}

inline void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      throw system_error("send");
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

// Blocking request/reply over one connection; replies may be megabytes long
// (ROUTE_BULK_OK), so the buffer grows as needed.
class LineClient {
 public:
  explicit LineClient(std::uint16_t port) : fd_(connect_loopback(port)) {}
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;
  ~LineClient() { ::close(fd_); }

  // Several lines at once, each ending in LF: a pipelined batch.
  void send_lines(std::string_view lines) { send_all(fd_, lines); }

  void send_line(std::string_view line) {
    std::string framed(line);
    framed += '\n';
    send_all(fd_, framed);
  }

  // The next line without its LF (or CR LF). Throws after `timeout` of silence.
  std::string read_line(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    for (;;) {
      if (const auto lf = buffer_.find('\n', scanned_); lf != std::string::npos) {
        std::string line = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        scanned_ = 0;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      scanned_ = buffer_.size();
      pollfd readable{fd_, POLLIN, 0};
      const int ready = ::poll(&readable, 1, static_cast<int>(timeout.count()));
      if (ready == 0) throw std::runtime_error("no reply within " + std::to_string(timeout.count()) + " ms");
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw system_error("poll");
      }
      char chunk[64 * 1024];
      const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got == 0) throw std::runtime_error("connection closed by the server");
      if (got < 0) {
        if (errno == EINTR) continue;
        throw system_error("recv");
      }
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  std::string request(std::string_view line) {
    send_line(line);
    return read_line();
  }

 private:
  int fd_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // bytes of buffer_ already known to hold no LF
};

// "CODE|rest" -> rest; throws with the whole reply when the code differs.
inline std::string expect_reply(std::string_view reply, std::string_view code, std::string_view command) {
  if (reply == code) return {};
  if (reply.size() > code.size() && reply.starts_with(code) && reply[code.size()] == '|')
    return std::string(reply.substr(code.size() + 1));
  const std::string shown(reply.substr(0, 300));
  throw std::runtime_error(std::string(command) + " answered \"" + shown + "\"");
}

// A regd child on free loopback ports, stopped (SIGTERM, then SIGKILL) when
// this object goes away. Its state directory is a fresh one, removed with it,
// unless one is given (to start regd again on what an earlier one kept). Its
// configuration file is empty: an installed /etc/regd/regd.conf must not
// change what is measured.
class RegdProcess {
 public:
  RegdProcess(const std::string& binary, std::vector<std::string> extra_arguments, std::string state_dir = {})
      : control_port_(free_loopback_port()), listen_port_(free_loopback_port()) {
    const std::uint16_t admin_port = free_loopback_port();
    arguments_ = {binary,
                  "--config", "/dev/null",
                  "--control", std::string(kLoopback) + ":" + std::to_string(control_port_),
                  "--listen", std::string(kLoopback) + ":" + std::to_string(listen_port_),
                  "--admin", std::string(kLoopback) + ":" + std::to_string(admin_port),
                  "--log-level", "warn",
                  "--state-dir", state_dir.empty() ? make_state_dir() : state_dir};
    arguments_.insert(arguments_.end(), extra_arguments.begin(), extra_arguments.end());

    std::vector<char*> argv;
    for (auto& argument : arguments_) argv.push_back(argument.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw system_error("fork");
    if (pid_ == 0) {
      ::execv(argv[0], argv.data());
      std::perror("execv regd");
      ::_exit(127);
    }
    try {
      wait_until_listening();
    } catch (...) {
      stop();
      throw;
    }
  }
  RegdProcess(const RegdProcess&) = delete;
  RegdProcess& operator=(const RegdProcess&) = delete;
  ~RegdProcess() {
    stop();
    std::error_code ignored;
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_, ignored);
  }

  std::uint16_t control_port() const { return control_port_; }
  std::uint16_t listen_port() const { return listen_port_; }
  pid_t pid() const { return pid_; }

  std::string command_line() const {
    std::string line;
    for (const auto& argument : arguments_) line += (line.empty() ? "" : " ") + argument;
    return line;
  }

 private:
  // A fresh state directory per run: figures never include loading old state.
  std::string make_state_dir() {
    char pattern[] = "/tmp/regd-bench-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw system_error("mkdtemp");
    state_dir_ = pattern;
    return state_dir_;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int waited_ms = 0; waited_ms < 5000; waited_ms += 10) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  void wait_until_listening() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("regd exited at start");
      }
      if (const int fd = try_connect_loopback(control_port_); fd >= 0) {
        ::close(fd);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("regd did not listen on its control port within 10 s");
  }

  std::uint16_t control_port_;
  std::uint16_t listen_port_;
  std::string state_dir_;  // made here, so removed here
  std::vector<std::string> arguments_;
  pid_t pid_ = -1;
};

// Scheduler accounting of one thread (/proc/PID/task/TID/schedstat): time it
// ran on a CPU, and time it was runnable but waited for one. The second shows
// how much a wall-clock figure owes to other load on a shared machine.
struct ThreadCpu {
  std::chrono::nanoseconds on_cpu{0};
  std::chrono::nanoseconds waiting_for_cpu{0};
};

inline ThreadCpu read_thread_cpu(pid_t pid, pid_t tid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/schedstat";
  std::ifstream file(path);
  long long on_cpu = 0, waiting = 0;
  if (!(file >> on_cpu >> waiting)) throw std::runtime_error("cannot read " + path);
  return {std::chrono::nanoseconds(on_cpu), std::chrono::nanoseconds(waiting)};
}

// The same summed over every thread of a process: what a multi-threaded
// regd cost the machine, whichever of its threads did the work.
inline ThreadCpu read_process_cpu(pid_t pid) {
  ThreadCpu total;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    const ThreadCpu thread = read_thread_cpu(pid, static_cast<pid_t>(std::stol(task.path().filename().string())));
    total.on_cpu += thread.on_cpu;
    total.waiting_for_cpu += thread.waiting_for_cpu;
  }
  return total;
}

using reg::test::resident_kb;

// The command line of this benchmark as typed, for the report.
inline std::string invocation(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

// A positive number given for a command-line flag.
template <class Number>
Number parse_number(std::string_view text, std::string_view flag) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0)
    throw std::runtime_error(std::string(flag) + ": expected a positive number, got \"" + std::string(text) + "\"");
  return value;
}

// A comma list of positive numbers given for a command-line flag.
template <class Number>
std::vector<Number> parse_number_list(std::string_view text, std::string_view flag) {
  std::vector<Number> numbers;
  for (std::string_view rest = text; !rest.empty();) {
    const auto comma = rest.find(',');
    numbers.push_back(parse_number<Number>(rest.substr(0, comma), flag));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return numbers;
}

// Calls `take(flag, value)` for every "--flag value" pair of the command
// line; a flag without its value is an error.
template <class Take>
void for_each_flag(int argc, char** argv, Take take) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(std::string(flag) + " needs a value");
    take(flag, std::string_view(argv[++i]));
  }
}

inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// Nearest-rank percentile (0 < p <= 100) of a non-empty sample.
inline double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace reg::bench
