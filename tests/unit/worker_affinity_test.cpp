// --worker-cpu-affinity: which workers get a CPU of their own, and what the
// flag accepts.
#include <catch2/catch.hpp>

#include "daemon/proxy/worker_affinity.hpp"

namespace reg::proxy {
namespace {

using Cpus = std::vector<unsigned>;

}  // namespace

TEST_CASE("worker affinity: each of two or more workers gets the next allowed CPU") {
  CHECK(choose_worker_cpus(2, WorkerAffinity::automatic, {0, 1}) == Cpus{0, 1});
  // The process's own mask decides, not the machine's numbering.
  CHECK(choose_worker_cpus(2, WorkerAffinity::automatic, {2, 5, 7}) == Cpus{2, 5});
  CHECK(choose_worker_cpus(3, WorkerAffinity::automatic, {2, 5, 7}) == Cpus{2, 5, 7});
}

TEST_CASE("worker affinity: one worker, more workers than CPUs, or off leave them unpinned") {
  CHECK(choose_worker_cpus(1, WorkerAffinity::automatic, {0, 1}).empty());
  CHECK(choose_worker_cpus(3, WorkerAffinity::automatic, {0, 1}).empty());
  CHECK(choose_worker_cpus(2, WorkerAffinity::automatic, {}).empty());
  CHECK(choose_worker_cpus(2, WorkerAffinity::off, {0, 1}).empty());
}

TEST_CASE("worker affinity: the log names the CPUs, or none") {
  CHECK(describe_worker_cpus({0, 1}) == "0,1");
  CHECK(describe_worker_cpus({}) == "none");
}

TEST_CASE("worker affinity: auto and off are the only values") {
  CHECK(*parse_worker_affinity("auto") == WorkerAffinity::automatic);
  CHECK(*parse_worker_affinity("off") == WorkerAffinity::off);
  const auto wrong = parse_worker_affinity("on");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error() == "expected auto or off, got 'on'");
}

TEST_CASE("worker affinity: this process may run on at least one CPU") {
  const Cpus cpus = allowed_cpus();
  REQUIRE_FALSE(cpus.empty());
  CHECK(std::is_sorted(cpus.begin(), cpus.end()));
}

}  // namespace reg::proxy
