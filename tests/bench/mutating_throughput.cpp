// Throughput of mutating commands with durability on: every ROUTE_ADD is
// committed to the state store (fsync) before its ROUTE_OK leaves. Each
// connection registers its own persistent session and keeps `window`
// ROUTE_ADD lines in flight; group commit lets one fsync cover the commands
// of every connection that arrived meanwhile. Runs once per connection count.
//
//   mutating_throughput [--connections 1,50] [--commands 20000] [--window 64] [--regd PATH]
//
// --commands is the total per run, split over the connections.
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using reg::bench::expect_reply;
using reg::bench::LineClient;
using reg::bench::for_each_flag;
using reg::bench::parse_number;
using reg::bench::parse_number_list;

struct Settings {
  std::vector<std::size_t> connections{1, 50};
  std::size_t commands = 20'000;
  std::size_t window = 64;
  std::string regd = REGD_BINARY;
};

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for_each_flag(argc, argv, [&](std::string_view flag, std::string_view value) {
    if (flag == "--connections") {
      settings.connections = parse_number_list<std::size_t>(value, flag);
    } else if (flag == "--commands") {
      settings.commands = parse_number<std::size_t>(value, flag);
    } else if (flag == "--window") {
      settings.window = parse_number<std::size_t>(value, flag);
    } else if (flag == "--regd") {
      settings.regd = value;
    } else {
      throw std::runtime_error("unknown flag " + std::string(flag));
    }
  });
  return settings;
}

// One connection's share: `count` ROUTE_ADDs, `window` of them in flight.
void add_routes(LineClient& client, const std::string& session, std::size_t connection, std::size_t count,
                std::size_t window) {
  std::size_t sent = 0, answered = 0;
  while (answered < count) {
    std::string batch;
    for (; sent < count && sent - answered < window; ++sent) {
      batch += "ROUTE_ADD|" + session + "|c" + std::to_string(connection) + "-" + std::to_string(sent) +
               ".example.com|/|http://127.0.0.1:9|0\n";
    }
    client.send_lines(batch);
    // Read half a window before refilling, so the pipe never runs dry.
    const std::size_t target = sent == count ? count : answered + std::max<std::size_t>(1, window / 2);
    for (; answered < target; ++answered) expect_reply(client.read_line(), "ROUTE_OK", "ROUTE_ADD");
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings settings = parse_settings(argc, argv);
    std::cout << "# " << reg::bench::invocation(argc, argv) << "\n";
    for (const std::size_t connections : settings.connections) {
      reg::bench::RegdProcess regd(settings.regd, {"--workers", "1"});
      std::vector<std::unique_ptr<LineClient>> clients;
      std::vector<std::string> sessions;
      for (std::size_t i = 0; i < connections; ++i) {
        clients.push_back(std::make_unique<LineClient>(regd.control_port()));
        sessions.push_back(expect_reply(
            clients.back()->request("REGISTER|bench|c" + std::to_string(i) + "|9000|{\"lease\":\"persistent\"}"),
            "ACK", "REGISTER"));
      }
      const std::size_t each = settings.commands / connections;
      const auto start = Clock::now();
      std::vector<std::thread> threads;
      std::vector<std::string> failures(connections);
      for (std::size_t i = 0; i < connections; ++i) {
        threads.emplace_back([&, i] {
          try {
            add_routes(*clients[i], sessions[i], i, each, settings.window);
          } catch (const std::exception& error) {
            failures[i] = error.what();
          }
        });
      }
      for (auto& thread : threads) thread.join();
      for (const auto& failure : failures)
        if (!failure.empty()) throw std::runtime_error(failure);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      const std::size_t total = each * connections;
      std::cout << connections << " connection(s), window " << settings.window << ": " << total
                << " ROUTE_ADD in " << seconds << " s = " << static_cast<long>(total / seconds)
                << " durable commands/s\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "mutating_throughput: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
