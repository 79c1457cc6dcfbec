// --worker-cpu-affinity (README "regd's flags", man/regd.8): by default each
// worker thread runs on a CPU of its own, the first ones regd may use, and the
// rest of regd stays free to move; with `off`, or more workers than CPUs, no
// thread is pinned.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "daemon/proxy/worker_affinity.hpp"
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

const std::vector<unsigned> cpus_for_regd = proxy::allowed_cpus();

}  // namespace

TEST_CASE("worker affinity: each worker runs on a CPU of its own, the other threads stay free") {
  if (cpus_for_regd.size() < 2) return;  // with one CPU every thread's list names it
  const std::string first = std::to_string(cpus_for_regd[0]);
  const std::string second = std::to_string(cpus_for_regd[1]);
  {
    RegdProcess regd({"--workers", "2"});
    const auto lists = thread_cpu_lists(regd.pid());
    CHECK(single_cpu_lists(lists) == std::multiset<std::string>{first, second});
    CHECK(lists.size() > 2);  // the control thread and the others
    CHECK_THAT(regd.whole_log(), Contains("worker_cpus=" + first + "," + second));
  }
  RegdProcess regd({"--workers", "1"});
  CHECK(single_cpu_lists(thread_cpu_lists(regd.pid())) == std::multiset<std::string>{first});
  CHECK_THAT(regd.whole_log(), Contains("worker_cpus=" + first + " "));
}

TEST_CASE("worker affinity: off, or more workers than CPUs, pins no thread") {
  const std::vector<std::vector<std::string>> flag_sets = {
      {"--workers", "2", "--worker-cpu-affinity", "off"},
      {"--workers", std::to_string(cpus_for_regd.size() + 1)}};
  for (const auto& flags : flag_sets) {
    RegdProcess regd(flags);
    if (cpus_for_regd.size() >= 2) CHECK(single_cpu_lists(thread_cpu_lists(regd.pid())).empty());
    CHECK_THAT(regd.whole_log(), Contains("worker_cpus=none"));
  }
}

}  // namespace reg::test
