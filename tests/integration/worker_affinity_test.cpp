// --worker-cpu-affinity (README "regd's flags", man/regd.8): with two workers
// on a machine that lets regd use two CPUs or more, each worker thread runs on
// a CPU of its own and the rest of regd stays free to move; with `off`, one
// worker, or more workers than CPUs, no thread is pinned.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
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

}  // namespace

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
