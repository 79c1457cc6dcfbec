#pragma once
// The CPU time regd's control groups allow. A container limit or systemd's
// CPUQuota= caps regd at a share of the machine while its affinity mask still
// lists every CPU: a worker for each of them would mostly wait for the quota,
// and once the quota is spent every request in flight stalls until the next
// period. The JVM, Go and .NET size their threads by the quota for the same
// reason.
#include <cstddef>
#include <filesystem>
#include <optional>

namespace reg::proxy {

// The lowest quota / period along the hierarchy of the process's control
// group, in CPUs (cgroup v2's cpu.max, v1's cpu.cfs_quota_us over
// cpu.cfs_period_us), or nullopt when none is set or the files cannot be
// read. `root` is where proc/ and the cgroup mounts are looked up: "/" but
// for tests.
std::optional<double> cgroup_cpu_quota(const std::filesystem::path& root = "/");

// The default number of proxy workers: one for each CPU regd may run on, no
// more than the quota rounded up, at least one.
unsigned default_worker_count(std::size_t allowed_cpus, std::optional<double> cpu_quota);

}  // namespace reg::proxy
