// regd's resident memory with many control connections open (target: at
// most 100 MB with 10,000), and how fast a new client is answered meanwhile.
//
//   idle_connections [--connections 10000] [--regd PATH] [--workers 2] [--pings 1000]
//
// Each connection first sends one PING (so regd has read from it, as from
// any real client), then the connections register a connection-lease
// session each, as client libraries do; RSS is read after each step.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "daemon/net/open_file_limit.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using reg::bench::LineClient;
using reg::bench::expect_reply;
using reg::bench::for_each_flag;
using reg::bench::parse_number;

constexpr double kTargetMegabytes = 100;

struct Settings {
  std::size_t connections = 10'000;
  std::size_t pings = 1000;  // round trips timed on a new connection while the others are open
  std::string regd = REGD_BINARY;
  std::string workers = "2";
};

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for_each_flag(argc, argv, [&](std::string_view flag, std::string_view value) {
    if (flag == "--connections") settings.connections = parse_number<std::size_t>(value, flag);
    else if (flag == "--pings") settings.pings = parse_number<std::size_t>(value, flag);
    else if (flag == "--regd") settings.regd = value;
    else if (flag == "--workers") settings.workers = value;
    else throw std::runtime_error("unknown flag " + std::string(flag));
  });
  return settings;
}

double megabytes(long kb) { return static_cast<double>(kb) / 1024.0; }

// Round-trip times of `count` PINGs on a connection opened now, in ms.
std::vector<double> ping_times(std::uint16_t port, std::size_t count) {
  LineClient client(port);
  std::vector<double> times;
  for (std::size_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    expect_reply(client.request("PING"), "PONG", "PING");
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return times;
}

void report_pings(const char* when, const std::vector<double>& times) {
  std::cout << "  new client's PING " << when << ": median " << reg::bench::median(times) << " ms, p99 "
            << reg::bench::percentile(times, 99) << " ms\n";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings settings = parse_settings(argc, argv);
    const unsigned long open_files = reg::net::raise_open_file_limit();
    if (open_files < settings.connections + 64)
      throw std::runtime_error("the open-file hard limit (" + std::to_string(open_files) + ") is below " +
                               std::to_string(settings.connections + 64) + ": raise it with ulimit -Hn");
    std::cout << "# " << reg::bench::invocation(argc, argv) << "\n";

    reg::bench::RegdProcess regd(settings.regd, {"--workers", settings.workers, "--max-connections",
                                                 std::to_string(settings.connections + 1)});
    std::cout << "# regd: " << regd.command_line() << "\n";
    const long idle_kb = reg::bench::resident_kb(regd.pid());
    report_pings("with no other connection", ping_times(regd.control_port(), settings.pings));

    const auto opening = Clock::now();
    std::vector<std::unique_ptr<LineClient>> clients;
    clients.reserve(settings.connections);
    for (std::size_t i = 0; i < settings.connections; ++i) {
      clients.push_back(std::make_unique<LineClient>(regd.control_port()));
      expect_reply(clients.back()->request("PING"), "PONG", "PING");
    }
    const double opening_s = std::chrono::duration<double>(Clock::now() - opening).count();
    const long connected_kb = reg::bench::resident_kb(regd.pid());

    for (std::size_t i = 0; i < clients.size(); ++i) {
      expect_reply(clients[i]->request("REGISTER|bench|c" + std::to_string(i) + "|9000|{}"), "ACK", "REGISTER");
    }
    const long registered_kb = reg::bench::resident_kb(regd.pid());

    std::cout << "regd RSS: " << megabytes(idle_kb) << " MB idle\n"
              << "  " << megabytes(connected_kb) << " MB with " << settings.connections
              << " control connections open (opened and PINGed in " << opening_s << " s; "
              << (connected_kb - idle_kb) * 1024 / static_cast<long>(settings.connections)
              << " bytes per connection)\n"
              << "  " << megabytes(registered_kb) << " MB once each holds a connection-lease session ("
              << (registered_kb - connected_kb) * 1024 / static_cast<long>(settings.connections)
              << " bytes per session)\n";
    report_pings(("with " + std::to_string(settings.connections) + " open").c_str(),
                 ping_times(regd.control_port(), settings.pings));
    const double worst = megabytes(std::max(connected_kb, registered_kb));
    std::cout << "target: at most " << kTargetMegabytes << " MB with " << settings.connections
              << " connections: " << (worst <= kTargetMegabytes ? "met" : "MISSED") << "\n";
  } catch (const std::exception& error) {
    std::cerr << "idle_connections: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
