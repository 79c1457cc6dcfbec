// The default --workers under a control group's CPU quota: /proc and the
// cgroup files as a host, systemd or a container lays them out, in a private
// directory standing for "/".
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/proxy/cpu_quota.hpp"
#include "support/temp_dir.hpp"

namespace reg::proxy {
namespace {

namespace fs = std::filesystem;

class FakeRoot {
 public:
  FakeRoot() { fs::create_directories(dir_.path() / "proc/self"); }

  // Writes `content` to `path`, relative to the fake root.
  void write(const std::string& path, const std::string& content) const {
    const fs::path file = dir_.path() / path;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content;
  }

  std::optional<double> quota() const { return cgroup_cpu_quota(dir_.path()); }

 private:
  test::TempDir dir_{"regd-cpu-quota"};
};

const std::string v2_mount = "30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

// regd.service's group on a cgroup v2 host: cpu.max of the service in
// `service`, of its slice in `slice` (none written when empty).
void write_v2_service(const FakeRoot& root, const std::string& service, const std::string& slice) {
  root.write("proc/self/cgroup", "0::/system.slice/regd.service\n");
  root.write("proc/self/mountinfo", v2_mount);
  if (!service.empty()) root.write("sys/fs/cgroup/system.slice/regd.service/cpu.max", service);
  if (!slice.empty()) root.write("sys/fs/cgroup/system.slice/cpu.max", slice);
}
const std::string v1_mounts =
    "31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "32 25 0:28 / /sys/fs/cgroup/cpuset rw,nosuid shared:10 - cgroup cgroup rw,cpuset\n";

}  // namespace

TEST_CASE("cpu quota: cgroup v2's cpu.max of the service's group") {
  FakeRoot root;
  write_v2_service(root, "150000 100000\n", "max 100000\n");
  CHECK(root.quota() == Approx(1.5));
}

TEST_CASE("cpu quota: a parent's lower quota caps the group") {
  FakeRoot root;
  write_v2_service(root, "400000 100000\n", "50000 100000\n");
  CHECK(root.quota() == Approx(0.5));
}

TEST_CASE("cpu quota: none set, no cgroup files, or files it cannot read") {
  FakeRoot root;
  CHECK_FALSE(root.quota());
  write_v2_service(root, "", "");
  CHECK_FALSE(root.quota());
  for (const std::string unlimited_or_unreadable : {"max 100000\n", "lots 100000\n", "100000 0\n", ""}) {
    write_v2_service(root, unlimited_or_unreadable.empty() ? "\n" : unlimited_or_unreadable, "");
    CHECK_FALSE(root.quota());
  }
}

TEST_CASE("cpu quota: cgroup v1's cfs quota, on the mount that carries the cpu controller") {
  FakeRoot root;
  root.write("proc/self/cgroup", "5:cpuset:/\n4:cpu,cpuacct:/docker/abc\n0::/\n");
  root.write("proc/self/mountinfo", v1_mounts);
  root.write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "250000\n");
  root.write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  root.write("sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_quota_us", "-1\n");
  root.write("sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_period_us", "100000\n");
  CHECK(root.quota() == Approx(2.5));
  // A controller whose name starts with "cpu" is not the cpu controller.
  root.write("proc/self/cgroup", "4:cpuacct:/docker/abc\n");
  CHECK_FALSE(root.quota());
}

TEST_CASE("cpu quota: inside a container, the mount's root is the container's group") {
  FakeRoot root;
  // Without a cgroup namespace /proc names the whole path; with one, "/".
  root.write("proc/self/mountinfo",
             "40 35 0:27 /docker/abc /sys/fs/cgroup/cpu ro,nosuid - cgroup cgroup rw,cpu\n");
  root.write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "100000\n");
  root.write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
  root.write("proc/self/cgroup", "3:cpu:/docker/abc\n");
  CHECK(root.quota() == Approx(1.0));
  root.write("proc/self/cgroup", "3:cpu:/\n");
  CHECK(root.quota() == Approx(1.0));
}

TEST_CASE("cpu quota: an escaped blank in a mount point") {
  FakeRoot root;
  root.write("proc/self/cgroup", "0::/\n");
  root.write("proc/self/mountinfo", "30 1 0:26 / /cgroup\\040two rw - cgroup2 cgroup2 rw\n");
  root.write("cgroup two/cpu.max", "300000 100000\n");
  CHECK(root.quota() == Approx(3.0));
}

TEST_CASE("cpu quota: workers, one per CPU, no more than the quota rounded up") {
  CHECK(default_worker_count(8, std::nullopt) == 8);
  CHECK(default_worker_count(8, 2.0) == 2);
  CHECK(default_worker_count(8, 1.5) == 2);
  CHECK(default_worker_count(8, 0.25) == 1);
  CHECK(default_worker_count(2, 16.0) == 2);
  CHECK(default_worker_count(0, std::nullopt) == 1);
}

}  // namespace reg::proxy
