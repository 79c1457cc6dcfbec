// CONFIG_APPLY latency with many staged routes. For each size and run: a fresh
// persistent session stages the routes with ROUTE_ADD_BULK, then CONFIG_APPLY
// is timed from the write of the line to the arrival of its OK, and
// CLIENT_SHUTDOWN removes the session before the next run (an applied
// configuration cannot be rolled back, so every run needs a new session).
// Besides wall time it reports what regd's control thread (the main thread)
// spent on a CPU meanwhile, how long it waited for one, and how long this
// client waited for one: on a shared machine the wall time alone mixes
// regd's work with other load.
//
//   apply_latency [--runs 5] [--chunk 5000] [--sizes 10000,100000] [--workers 2] [--regd PATH]
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using reg::bench::expect_reply;
using reg::bench::LineClient;
using reg::bench::median;
using reg::bench::for_each_flag;
using reg::bench::parse_number;
using reg::bench::parse_number_list;

struct Settings {
  int runs = 5;
  std::size_t chunk = 5000;  // routes per ROUTE_ADD_BULK line: ~0.5 MB, under the 1 MiB line limit
  std::vector<std::size_t> sizes{10'000, 100'000};
  std::string workers = "2";
  std::string regd = REGD_BINARY;
};

// The latency targets set for these two sizes; other sizes have none (0).
double target_ms(std::size_t routes) {
  if (routes == 10'000) return 20;
  if (routes == 100'000) return 250;
  return 0;
}

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for_each_flag(argc, argv, [&](std::string_view flag, std::string_view value) {
    if (flag == "--runs") {
      settings.runs = static_cast<int>(parse_number<std::size_t>(value, flag));
    } else if (flag == "--chunk") {
      settings.chunk = parse_number<std::size_t>(value, flag);
    } else if (flag == "--sizes") {
      settings.sizes = parse_number_list<std::size_t>(value, flag);
    } else if (flag == "--workers") {
      settings.workers = value;
    } else if (flag == "--regd") {
      settings.regd = value;
    } else {
      throw std::runtime_error("unknown flag " + std::string(flag));
    }
  });
  return settings;
}

// One ROUTE_ADD_BULK line for routes [first, first + count): each its own
// host, so no two routes share a pool and the table has one pool per route.
std::string bulk_line(const std::string& session, std::size_t first, std::size_t count) {
  std::string line = "ROUTE_ADD_BULK|" + session + "|[";
  for (std::size_t i = first; i < first + count; ++i) {
    if (i != first) line += ',';
    line += R"({"domains":["h)" + std::to_string(i) +
            R"(.bench.example"],"path":"/","backend_url":"http://127.0.0.1:9000","priority":0})";
  }
  line += ']';
  return line;
}

struct Span {
  double wall_ms = 0;
  double cpu_ms = 0;          // regd's control thread on a CPU
  double wait_ms = 0;         // regd's control thread runnable, waiting for a CPU
  double client_wait_ms = 0;  // this thread runnable, waiting for a CPU
};

// Times `step` by the clock and by the scheduler's accounting of regd's
// control thread and of this thread.
template <class Step>
Span measure(pid_t regd, Step step) {
  const pid_t self = ::getpid(), thread = ::gettid();
  const auto cpu_before = reg::bench::read_thread_cpu(regd, regd);
  const auto client_before = reg::bench::read_thread_cpu(self, thread);
  const auto started = Clock::now();
  step();
  Span span;
  span.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  const auto client_after = reg::bench::read_thread_cpu(self, thread);
  const auto cpu_after = reg::bench::read_thread_cpu(regd, regd);
  span.cpu_ms = std::chrono::duration<double, std::milli>(cpu_after.on_cpu - cpu_before.on_cpu).count();
  span.wait_ms =
      std::chrono::duration<double, std::milli>(cpu_after.waiting_for_cpu - cpu_before.waiting_for_cpu).count();
  span.client_wait_ms =
      std::chrono::duration<double, std::milli>(client_after.waiting_for_cpu - client_before.waiting_for_cpu).count();
  return span;
}

struct RunTimes {
  Span stage, apply, shutdown;
  double resident_bytes_per_route = 0;  // regd's RSS growth from before REGISTER to after APPLY
};

RunTimes measure_run(LineClient& control, pid_t regd, std::size_t routes, std::size_t chunk,
                     const std::string& instance) {
  const long resident_before_kb = reg::bench::resident_kb(regd);
  const std::string session = expect_reply(
      control.request("REGISTER|bench|" + instance + "|0|{\"lease\":\"persistent\"}"), "ACK", "REGISTER");

  // Lines are built before the clock starts: the client's JSON writing is not regd's staging time.
  std::vector<std::string> lines;
  for (std::size_t first = 0; first < routes; first += chunk)
    lines.push_back(bulk_line(session, first, std::min(chunk, routes - first)));

  RunTimes times;
  times.stage = measure(regd, [&] {
    for (const auto& line : lines) expect_reply(control.request(line), "ROUTE_BULK_OK", "ROUTE_ADD_BULK");
  });
  times.apply = measure(regd, [&] { expect_reply(control.request("CONFIG_APPLY|" + session), "OK", "CONFIG_APPLY"); });
  times.resident_bytes_per_route =
      (reg::bench::resident_kb(regd) - resident_before_kb) * 1024.0 / static_cast<double>(routes);
  times.shutdown = measure(regd, [&] {
    expect_reply(control.request("CLIENT_SHUTDOWN|" + session), "SHUTDOWN_OK", "CLIENT_SHUTDOWN");
  });
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings settings = parse_settings(argc, argv);
    const std::size_t largest = *std::max_element(settings.sizes.begin(), settings.sizes.end());
    reg::bench::RegdProcess regd(settings.regd, {"--workers", settings.workers, "--max-routes-per-session",
                                                 std::to_string(largest)});
    LineClient control(regd.control_port());

    std::cout << "command: " << reg::bench::invocation(argc, argv) << "\n";
    std::cout << "server:  " << regd.command_line() << "\n";
    std::cout << "regd idle RSS: " << reg::bench::resident_kb(regd.pid()) / 1024.0 << " MB (target: at most 10 MB)\n";
    std::cout << "routes per ROUTE_ADD_BULK line: " << settings.chunk << "; runs per size: " << settings.runs
              << "\n\n";
    std::printf("| routes | run | stage wall (ms) | stage (routes/s) | stage CPU (ms) "
                "| APPLY wall (ms) | APPLY CPU (ms) | APPLY wait (ms) | APPLY client wait (ms) | SHUTDOWN wall (ms) "
                "| SHUTDOWN CPU (ms) | RSS per route (B) |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");

    struct Summary {
      std::size_t routes;
      double stage_ms, stage_cpu_ms, apply_ms, apply_min_ms, apply_max_ms, apply_cpu_ms, apply_wait_ms, shutdown_ms,
          resident_per_route;
    };
    std::vector<Summary> summaries;
    for (const std::size_t routes : settings.sizes) {
      std::vector<double> stage, stage_cpu, apply, apply_cpu, apply_wait, shutdown, resident;
      for (int run = 1; run <= settings.runs; ++run) {
        const std::string instance = "apply-" + std::to_string(routes) + "-" + std::to_string(run);
        const RunTimes t = measure_run(control, regd.pid(), routes, settings.chunk, instance);
        std::printf("| %zu | %d | %.1f | %.0f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |\n", routes,
                    run, t.stage.wall_ms, routes / (t.stage.wall_ms / 1000), t.stage.cpu_ms, t.apply.wall_ms,
                    t.apply.cpu_ms, t.apply.wait_ms, t.apply.client_wait_ms, t.shutdown.wall_ms, t.shutdown.cpu_ms,
                    t.resident_bytes_per_route);
        std::fflush(stdout);
        stage.push_back(t.stage.wall_ms);
        stage_cpu.push_back(t.stage.cpu_ms);
        apply.push_back(t.apply.wall_ms);
        apply_cpu.push_back(t.apply.cpu_ms);
        apply_wait.push_back(t.apply.wait_ms);
        shutdown.push_back(t.shutdown.wall_ms);
        resident.push_back(t.resident_bytes_per_route);
      }
      summaries.push_back({routes, median(stage), median(stage_cpu), median(apply),
                           *std::min_element(apply.begin(), apply.end()),
                           *std::max_element(apply.begin(), apply.end()), median(apply_cpu), median(apply_wait),
                           median(shutdown), median(resident)});
    }

    std::printf("\nmedians of %d runs (verdict on the wall-time median)\n\n", settings.runs);
    std::printf("| routes | stage wall (ms) | stage CPU (ms) | APPLY wall median (ms) | min | max | APPLY CPU (ms) "
                "| APPLY wait (ms) | target (ms) | verdict | SHUTDOWN wall (ms) | RSS per route (B, target 2048) |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
    for (const auto& s : summaries) {
      const double target = target_ms(s.routes);
      const char* verdict = target == 0 ? "no target" : s.apply_ms <= target ? "met" : "MISSED";
      const std::string shown_target = target == 0 ? "-" : std::to_string(static_cast<int>(target));
      std::printf("| %zu | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s | %.2f | %.0f |\n", s.routes,
                  s.stage_ms, s.stage_cpu_ms, s.apply_ms, s.apply_min_ms, s.apply_max_ms, s.apply_cpu_ms,
                  s.apply_wait_ms, shown_target.c_str(), verdict, s.shutdown_ms, s.resident_per_route);
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "apply_latency: " << error.what() << "\n";
    return 1;
  }
}
