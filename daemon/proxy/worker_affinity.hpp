#pragma once
// Which CPU each proxy worker thread runs on. Left to itself, the scheduler
// now and then puts two busy workers on one core while the other core serves
// other processes; each worker then waits for the other's time slice and the
// slowest 1 % of requests take twice as long (README "Benchmarks"). Pinning
// each worker to a CPU of its own keeps them apart, as nginx's
// `worker_cpu_affinity auto` and HAProxy's `cpu-map` do.
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

// The CPU of each worker, or none at all. More workers than CPUs cannot each
// have one. A single worker has nothing to be kept apart from: pinned, it
// spent about 8 % less CPU per request but could not leave a core that other
// processes were busy on, and its slowest requests took longer, so it stays
// free.
std::vector<unsigned> choose_worker_cpus(unsigned workers, WorkerAffinity affinity,
                                         const std::vector<unsigned>& allowed);

// "0,1" for the log; "none" when the workers are not pinned.
std::string describe_worker_cpus(const std::vector<unsigned>& cpus);

// Pins `thread` to `cpu`.
Status pin_thread(std::thread& thread, unsigned cpu);

}  // namespace reg::proxy
