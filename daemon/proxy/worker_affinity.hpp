#pragma once
// Which CPU each proxy worker thread runs on. Left to itself, the scheduler
// moves a busy worker between cores as the processes it talks to wake up, and
// it refills its caches on each move; now and then it also puts two workers on
// one core, where each waits for the other's time slice. Pinned, a worker
// spent about a fifth less CPU per request and two workers' slowest 1 % of
// requests took half as long (README "Benchmarks"). nginx's
// `worker_cpu_affinity auto` and HAProxy's `cpu-map` do the same.
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"

namespace reg::proxy {

enum class WorkerAffinity { automatic, off };

// "auto" or "off", the value of --worker-cpu-affinity.
Result<WorkerAffinity> parse_worker_affinity(std::string_view text);

// The CPUs this process may run on (its affinity mask: taskset, systemd's
// CPUAffinity=), in ascending order; empty if the kernel does not say.
std::vector<unsigned> allowed_cpus();

// The CPU of each worker, the first ones of `allowed`, or none at all: more
// workers than CPUs cannot each have one of their own, so they stay unpinned.
std::vector<unsigned> choose_worker_cpus(unsigned workers, WorkerAffinity affinity,
                                         const std::vector<unsigned>& allowed);

// "0,1" for the log; "none" when the workers are not pinned.
std::string describe_worker_cpus(const std::vector<unsigned>& cpus);

// Pins `thread` to `cpu`.
Status pin_thread(std::thread& thread, unsigned cpu);

}  // namespace reg::proxy
