// regctl's cost per call as a script sees it: the wall time of `regctl ping`
// (exec, parse the command line, connect, one PING round trip against a real
// regd, print PONG, exit), spawned again and again. Target: median <= 5 ms.
// The same spawn of /bin/true is measured too: the floor no CLI can beat on
// this machine, which on a loaded box moves as much as regctl does.
//
//   regctl_startup [--runs 500] [--warmup 20] [--regctl PATH] [--regd PATH]
#include <spawn.h>
#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "bench_support.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using reg::bench::median;
using reg::bench::for_each_flag;
using reg::bench::parse_number;
using reg::bench::percentile;

constexpr double kTargetMedianMs = 5;

struct Settings {
  int runs = 500;
  int warmup = 20;
  std::string regctl = REGCTL_BINARY;
  std::string regd = REGD_BINARY;
};

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for_each_flag(argc, argv, [&](std::string_view flag, std::string_view value) {
    if (flag == "--runs") settings.runs = parse_number<int>(value, flag);
    else if (flag == "--warmup") settings.warmup = parse_number<int>(value, flag);
    else if (flag == "--regctl") settings.regctl = value;
    else if (flag == "--regd") settings.regd = value;
    else throw std::runtime_error("unknown flag " + std::string(flag));
  });
  return settings;
}

// The environment of this benchmark minus regctl's own variables: flags alone
// decide what regctl does, and no context file is read.
std::vector<std::string> clean_environment() {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    if (text.starts_with("REGCTL_") || text.starts_with("XDG_CONFIG_HOME=")) continue;
    entries.emplace_back(text);
  }
  entries.emplace_back("XDG_CONFIG_HOME=/nonexistent");
  return entries;
}

struct Sample {
  std::vector<double> wall_ms;
  double cpu_ms_per_run = 0;  // user + system of the spawned processes
};

double children_cpu_ms() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  const auto ms = [](const timeval& time) { return time.tv_sec * 1e3 + time.tv_usec / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// Spawns `command` with stdout and stderr on /dev/null; throws unless it exits 0.
void run_once(std::vector<std::string> command, const std::vector<std::string>& environment) {
  std::vector<char*> argv, envp;
  for (auto& argument : command) argv.push_back(argument.data());
  argv.push_back(nullptr);
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot start " + command.front() + ": " + std::strerror(error));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(command.front() + " failed (status " + std::to_string(status) + ")");
}

Sample measure(const std::vector<std::string>& command, const std::vector<std::string>& environment,
               const Settings& settings) {
  for (int i = 0; i < settings.warmup; ++i) run_once(command, environment);
  Sample sample;
  const double cpu_before = children_cpu_ms();
  for (int i = 0; i < settings.runs; ++i) {
    const auto started = Clock::now();
    run_once(command, environment);
    sample.wall_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
  }
  sample.cpu_ms_per_run = (children_cpu_ms() - cpu_before) / settings.runs;
  return sample;
}

void print_row(const char* name, const Sample& sample) {
  std::printf("| %-24s | %6.2f | %6.2f | %6.2f | %6.2f | %6.2f |\n", name, percentile(sample.wall_ms, 1),
              median(sample.wall_ms), percentile(sample.wall_ms, 90), percentile(sample.wall_ms, 99),
              sample.cpu_ms_per_run);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings settings = parse_settings(argc, argv);
    const reg::bench::RegdProcess regd(settings.regd, {"--workers", "1"});
    const std::string server = std::string(reg::bench::kLoopback) + ":" + std::to_string(regd.control_port());
    const auto environment = clean_environment();

    const Sample floor = measure({"/bin/true"}, environment, settings);
    const Sample ping = measure({settings.regctl, "--server", server, "ping"}, environment, settings);

    std::cout << "command: " << reg::bench::invocation(argc, argv) << "\n";
    std::cout << "server:  " << regd.command_line() << "\n";
    std::cout << "each run: " << settings.regctl << " --server " << server << " ping (stdout to /dev/null), "
              << settings.runs << " runs after " << settings.warmup << " warm-up runs\n\n";
    std::printf("| %-24s | %6s | %6s | %6s | %6s | %6s |\n", "wall time (ms)", "p1", "median", "p90", "p99", "CPU");
    std::printf("|--------------------------|-------:|-------:|-------:|-------:|-------:|\n");
    print_row("spawn /bin/true (floor)", floor);
    print_row("regctl ping", ping);
    const double ping_median = median(ping.wall_ms);
    std::printf("\ntarget:  median <= %.0f ms: %s (%.2f ms)\n", kTargetMedianMs,
                ping_median <= kTargetMedianMs ? "met" : "MISSED", ping_median);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "regctl_startup: " << error.what() << "\n";
    return 1;
  }
}
