// Time from starting regd on a state directory that holds many applied
// routes until a request through its proxy is answered by the backend: what
// an operator waits for after a restart. A first regd stages and applies the
// routes (one session, ROUTE_ADD_BULK lines) and stops; then, per run, a
// fresh regd starts on that directory and the clock runs until the backend's
// answer to a request for the last route's host arrives. Reported next to
// regd's resident memory once serving.
//
//   restart_to_serving [--routes 100000] [--runs 5] [--workers 2] [--regd PATH]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using reg::bench::expect_reply;
using reg::bench::for_each_flag;
using reg::bench::LineClient;
using reg::bench::median;
using reg::bench::parse_number;

constexpr std::size_t kChunk = 5000;  // routes per ROUTE_ADD_BULK line, under the line limit
constexpr std::string_view kAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nbackend";

struct Settings {
  std::size_t routes = 100'000;
  int runs = 5;
  std::string workers = "2";
  std::string regd = REGD_BINARY;
};

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for_each_flag(argc, argv, [&](std::string_view flag, std::string_view value) {
    if (flag == "--routes") settings.routes = parse_number<std::size_t>(value, flag);
    else if (flag == "--runs") settings.runs = static_cast<int>(parse_number<std::size_t>(value, flag));
    else if (flag == "--workers") settings.workers = value;
    else if (flag == "--regd") settings.regd = value;
    else throw std::runtime_error("unknown flag " + std::string(flag));
  });
  return settings;
}

// Answers every connection with kAnswer once a request header has arrived.
class Backend {
 public:
  Backend() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = reg::bench::loopback_address(0);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw reg::bench::system_error("backend listener");
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~Backend() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  void serve() {
    while (!stopping_) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string request;
      char chunk[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0) break;
        request.append(chunk, static_cast<std::size_t>(got));
      }
      if (request.find("\r\n\r\n") != std::string::npos) reg::bench::send_all(fd, kAnswer);
      ::close(fd);
    }
  }

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

std::string host_of(std::size_t route) { return "h" + std::to_string(route) + ".bench.example"; }

void apply_routes(LineClient& control, std::size_t routes, std::uint16_t backend_port) {
  const std::string session =
      expect_reply(control.request("REGISTER|bench|restart|0|{\"lease\":\"persistent\"}"), "ACK", "REGISTER");
  const std::string backend = "http://127.0.0.1:" + std::to_string(backend_port);
  for (std::size_t first = 0; first < routes; first += kChunk) {
    std::string line = "ROUTE_ADD_BULK|" + session + "|[";
    for (std::size_t i = first; i < std::min(routes, first + kChunk); ++i) {
      if (i != first) line += ',';
      line += R"({"domains":[")" + host_of(i) + R"("],"path":"/","backend_url":")" + backend + R"(","priority":0})";
    }
    line += ']';
    expect_reply(control.request(line), "ROUTE_BULK_OK", "ROUTE_ADD_BULK");
  }
  expect_reply(control.request("CONFIG_APPLY|" + session), "OK", "CONFIG_APPLY");
}

// True once a request for `host` through the proxy got the backend's answer.
bool backend_answers(std::uint16_t proxy_port, const std::string& host) {
  const int fd = reg::bench::try_connect_loopback(proxy_port);
  if (fd < 0) return false;
  std::string response;
  try {
    reg::bench::send_all(fd, "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    char chunk[4096];
    ssize_t got;
    while ((got = ::recv(fd, chunk, sizeof chunk, 0)) > 0) response.append(chunk, static_cast<std::size_t>(got));
  } catch (const std::exception&) {
  }
  ::close(fd);
  return response.starts_with("HTTP/1.1 200") && response.ends_with("backend");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings settings = parse_settings(argc, argv);
    Backend backend;
    char pattern[] = "/tmp/regd-bench-restart-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw reg::bench::system_error("mkdtemp");
    const std::string state_dir = pattern;
    const std::vector<std::string> flags{"--workers", settings.workers, "--max-routes-per-session",
                                         std::to_string(settings.routes)};
    std::cout << "command: " << reg::bench::invocation(argc, argv) << "\n";
    {
      reg::bench::RegdProcess first(settings.regd, flags, state_dir);
      LineClient control(first.control_port());
      apply_routes(control, settings.routes, backend.port());
      std::cout << "server:  " << first.command_line() << "\n";
    }
    const std::string last_host = host_of(settings.routes - 1);
    std::printf("\n| run | restart to serving (ms) | RSS serving (MB) |\n|---:|---:|---:|\n");
    std::vector<double> times;
    for (int run = 1; run <= settings.runs; ++run) {
      const auto started = Clock::now();
      reg::bench::RegdProcess regd(settings.regd, flags, state_dir);
      while (!backend_answers(regd.listen_port(), last_host)) {
        if (Clock::now() - started > std::chrono::seconds(60)) throw std::runtime_error("no answer within 60 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      times.push_back(ms);
      std::printf("| %d | %.0f | %.1f |\n", run, ms, reg::bench::resident_kb(regd.pid()) / 1024.0);
      std::fflush(stdout);
    }
    std::error_code ignored;
    std::filesystem::remove_all(state_dir, ignored);
    const double middle = median(times);
    std::printf("\n%zu routes: median restart to serving %.0f ms (target: at most 2000 ms): %s\n", settings.routes,
                middle, middle <= 2000 ? "met" : "MISSED");
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "restart_to_serving: " << error.what() << "\n";
    return 1;
  }
}
