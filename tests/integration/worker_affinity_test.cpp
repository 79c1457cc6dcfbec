// How many workers regd runs and on which CPUs (README "regd's flags",
// man/regd.8). --worker-cpu-affinity: with two workers on a machine that lets
// regd use two CPUs or more, each worker thread runs on a CPU of its own and
// the rest of regd stays free to move; with `off`, one worker, or more workers
// than CPUs, no thread is pinned. The default --workers: the CPUs regd may run
// on, no more than its control group's CPU quota.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/proxy/worker_affinity.hpp"
#include "support/eventually.hpp"
#include "support/regd_process.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::Contains;

// "Cpus_allowed_list" of every thread of `pid` ("0-1", "1", ...).
std::vector<std::string> thread_cpu_lists(pid_t pid) {
  std::vector<std::string> lists;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      const std::string key = "Cpus_allowed_list:";
      if (line.rfind(key, 0) != 0) continue;
      lists.push_back(line.substr(line.find_first_not_of(" \t", key.size())));
    }
  }
  return lists;
}

// The lists that name a single CPU: the pinned threads.
std::multiset<std::string> single_cpu_lists(const std::vector<std::string>& lists) {
  std::multiset<std::string> single;
  for (const auto& list : lists)
    if (list.find_first_of(",-") == std::string::npos) single.insert(list);
  return single;
}

const std::size_t cpus_for_regd = proxy::allowed_cpus().size();

// regd writes its ready line, which names the pinned CPUs, once the workers
// are pinned, a moment after its ports open (where RegdProcess stops waiting).
bool logged_ready(const RegdProcess& regd) {
  return eventually([&] { return regd.whole_log().find(" msg=ready ") != std::string::npos; });
}

// A control group of its own with a quota of one CPU, in the hierarchy that
// carries the cpu controller (cgroup v1's cpu mount, or v2's root with the
// cpu controller enabled for its children). While `enter()` is in effect the
// test process is in it, and so is every regd it starts then; regd stays
// there after `leave()`, and must be stopped before the group goes.
class OneCpuGroup {
 public:
  OneCpuGroup() {
    const std::string name = "regd-test-quota-" + std::to_string(::getpid());
    for (const char* v1 : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      if (!std::filesystem::exists(std::filesystem::path(v1) / "cpu.cfs_quota_us")) continue;
      parent_ = v1;
      find_home(false);
      group_ = parent_ / name;
      std::filesystem::create_directory(group_);
      write(group_ / "cpu.cfs_quota_us", "100000");
      write(group_ / "cpu.cfs_period_us", "100000");
      return;
    }
    parent_ = "/sys/fs/cgroup";
    if (!std::filesystem::exists(parent_ / "cgroup.subtree_control"))
      throw std::runtime_error("no cgroup hierarchy with the cpu controller to test in");
    find_home(true);
    write(parent_ / "cgroup.subtree_control", "+cpu");
    group_ = parent_ / name;
    std::filesystem::create_directory(group_);
    write(group_ / "cpu.max", "100000 100000");
  }
  ~OneCpuGroup() {
    leave();
    std::error_code ignored;
    std::filesystem::remove(group_, ignored);
  }
  OneCpuGroup(const OneCpuGroup&) = delete;
  OneCpuGroup& operator=(const OneCpuGroup&) = delete;

  void enter() { write(group_ / "cgroup.procs", std::to_string(::getpid())); }
  void leave() {
    std::ofstream procs(home_ / "cgroup.procs");
    procs << ::getpid() << std::flush;
  }

 private:
  static void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file);
    out << text << std::flush;
    if (!out) throw std::runtime_error("cannot write " + text + " to " + file.string());
  }

  // Where /proc/self/cgroup says the test process is in the hierarchy: the
  // line whose controllers include cpu (v1), or v2's "0::" line.
  void find_home(bool version2) {
    home_ = parent_;
    std::ifstream membership("/proc/self/cgroup");
    for (std::string line; std::getline(membership, line);) {
      const std::size_t first = line.find(':'), second = line.find(':', first + 1);
      const std::string controllers = "," + line.substr(first + 1, second - first - 1) + ",";
      const bool ours = version2 ? line.rfind("0::", 0) == 0 : controllers.find(",cpu,") != std::string::npos;
      if (ours) home_ = parent_ / std::filesystem::path(line.substr(second + 1)).relative_path();
    }
  }

  std::filesystem::path parent_;
  std::filesystem::path group_;
  std::filesystem::path home_;
};

}  // namespace

TEST_CASE("worker count: one worker per CPU regd may run on, no more than its CPU quota") {
  {
    RegdProcess regd;
    REQUIRE(logged_ready(regd));
    CHECK_THAT(regd.whole_log(), Contains(" workers=" + std::to_string(cpus_for_regd) + " "));
  }
  OneCpuGroup group;
  group.enter();
  std::optional<RegdProcess> regd;
  try {
    regd.emplace();
  } catch (...) {
    group.leave();
    throw;
  }
  group.leave();
  REQUIRE(logged_ready(*regd));
  CHECK_THAT(regd->whole_log(), Contains(" workers=1 worker_cpus=none "));
  regd->stop();
}

TEST_CASE("worker affinity: two workers each run on a CPU of their own") {
  RegdProcess regd({"--workers", "2"});
  REQUIRE(logged_ready(regd));
  if (cpus_for_regd < 2) {
    CHECK_THAT(regd.whole_log(), Contains("worker_cpus=none"));
    return;
  }
  const auto lists = thread_cpu_lists(regd.pid());
  const auto pinned = single_cpu_lists(lists);
  const auto allowed = proxy::allowed_cpus();
  CHECK(pinned == std::multiset<std::string>{std::to_string(allowed[0]), std::to_string(allowed[1])});
  CHECK(lists.size() > pinned.size());  // the control thread and the others are not pinned
  CHECK_THAT(regd.whole_log(),
             Contains("worker_cpus=" + std::to_string(allowed[0]) + "," + std::to_string(allowed[1])));
}

TEST_CASE("worker affinity: off, a single worker, or more workers than CPUs pin no thread") {
  const std::vector<std::vector<std::string>> flag_sets = {
      {"--workers", "2", "--worker-cpu-affinity", "off"},
      {"--workers", "1"},
      {"--workers", std::to_string(cpus_for_regd + 1)}};
  for (const auto& flags : flag_sets) {
    RegdProcess regd(flags);
    REQUIRE(logged_ready(regd));
    // With one CPU every thread's list names it.
    if (cpus_for_regd >= 2) CHECK(single_cpu_lists(thread_cpu_lists(regd.pid())).empty());
    CHECK_THAT(regd.whole_log(), Contains("worker_cpus=none"));
  }
}

}  // namespace reg::test
