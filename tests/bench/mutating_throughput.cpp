// Throughput of mutating commands with durability on: every ROUTE_ADD (or
// REGISTER) is committed to the state store (fsync) before its reply leaves.
// Each connection keeps `window` lines in flight: ROUTE_ADDs to a persistent
// session of its own, or REGISTERs of new persistent sessions; group commit
// lets one fsync cover the commands of every connection that arrived
// meanwhile. Runs once per connection count.
//
//   mutating_throughput [--command route_add|register] [--connections 1,50] [--commands 20000] [--window 64]
//                       [--regd PATH]
//
// --commands is the total per run, split over the connections. Besides the
// rate it prints the CPU time per command of regd (all its threads) and of
// this client: both share the machine's cores.
#include <sys/resource.h>

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
  bool registers = false;  // REGISTER instead of ROUTE_ADD
  std::vector<std::size_t> connections{1, 50};
  std::size_t commands = 20'000;
  std::size_t window = 64;
  std::string regd = REGD_BINARY;
};

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for_each_flag(argc, argv, [&](std::string_view flag, std::string_view value) {
    if (flag == "--command") {
      if (value != "route_add" && value != "register")
        throw std::runtime_error("--command: expected route_add or register, got \"" + std::string(value) + "\"");
      settings.registers = value == "register";
    } else if (flag == "--connections") {
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

// One connection's share: `count` commands, `window` of them in flight.
void run_commands(LineClient& client, const Settings& settings, const std::string& session, std::size_t connection,
                  std::size_t count) {
  const std::string name = "c" + std::to_string(connection) + "-";
  const char* reply = settings.registers ? "ACK" : "ROUTE_OK";
  std::size_t sent = 0, answered = 0;
  while (answered < count) {
    std::string batch;
    for (; sent < count && sent - answered < settings.window; ++sent) {
      if (settings.registers)
        batch += "REGISTER|bench|" + name + std::to_string(sent) + "|9000|{\"lease\":\"persistent\"}\n";
      else
        batch += "ROUTE_ADD|" + session + "|" + name + std::to_string(sent) + ".example.com|/|http://127.0.0.1:9|0\n";
    }
    client.send_lines(batch);
    // Read half a window before refilling, so the pipe never runs dry.
    const std::size_t target = sent == count ? count : answered + std::max<std::size_t>(1, settings.window / 2);
    for (; answered < target; ++answered) expect_reply(client.read_line(), reply, "command");
  }
}

std::chrono::nanoseconds own_cpu() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto to_ns = [](const timeval& time) {
    return std::chrono::seconds(time.tv_sec) + std::chrono::microseconds(time.tv_usec);
  };
  return to_ns(usage.ru_utime) + to_ns(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings settings = parse_settings(argc, argv);
    std::cout << "# " << reg::bench::invocation(argc, argv) << "\n";
    for (const std::size_t connections : settings.connections) {
      reg::bench::RegdProcess regd(settings.regd, {"--workers", "1", "--max-sessions",
                                                   std::to_string(settings.commands + connections)});
      std::vector<std::unique_ptr<LineClient>> clients;
      std::vector<std::string> sessions;
      for (std::size_t i = 0; i < connections; ++i) {
        clients.push_back(std::make_unique<LineClient>(regd.control_port()));
        sessions.push_back(settings.registers ? std::string()
                                              : expect_reply(clients.back()->request(
                                                                 "REGISTER|bench|s" + std::to_string(i) +
                                                                 "|9000|{\"lease\":\"persistent\"}"),
                                                             "ACK", "REGISTER"));
      }
      const std::size_t each = settings.commands / connections;
      const auto regd_cpu_before = reg::bench::read_process_cpu(regd.pid()).on_cpu;
      const auto client_cpu_before = own_cpu();
      const auto start = Clock::now();
      std::vector<std::thread> threads;
      std::vector<std::string> failures(connections);
      for (std::size_t i = 0; i < connections; ++i) {
        threads.emplace_back([&, i] {
          try {
            run_commands(*clients[i], settings, sessions[i], i, each);
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
      const auto per_command_us = [total](std::chrono::nanoseconds cpu) {
        return std::chrono::duration<double, std::micro>(cpu).count() / static_cast<double>(total);
      };
      std::cout << connections << " connection(s), window " << settings.window << ": " << total
                << (settings.registers ? " REGISTER" : " ROUTE_ADD") << " in " << seconds << " s = "
                << static_cast<long>(total / seconds) << " durable commands/s; CPU per command: regd "
                << per_command_us(reg::bench::read_process_cpu(regd.pid()).on_cpu - regd_cpu_before)
                << " us, client " << per_command_us(own_cpu() - client_cpu_before) << " us\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "mutating_throughput: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
