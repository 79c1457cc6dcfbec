#include "daemon/proxy/cpu_quota.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace reg::proxy {
namespace {

namespace fs = std::filesystem;

// A control group hierarchy that carries the cpu controller, and where the
// process sits in it.
struct CpuHierarchy {
  bool version2 = false;
  fs::path mount_point;  // under root
  fs::path group;        // the process's group: mount_point or below it
};

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (;;) {
    const std::size_t at = text.find(separator);
    parts.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

bool lists(std::string_view comma_separated, std::string_view item) {
  const auto items = split(comma_separated, ',');
  return std::find(items.begin(), items.end(), item) != items.end();
}

// mountinfo writes a blank, tab, newline or backslash in a path as \ooo.
std::string unescape_octal(std::string_view text) {
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool escaped = text[i] == '\\' && i + 3 < text.size() &&
                         std::all_of(text.begin() + i + 1, text.begin() + i + 4, [](char c) { return c >= '0' && c <= '7'; });
    if (escaped) {
      plain += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0'));
      i += 3;
    } else {
      plain += text[i];
    }
  }
  return plain;
}

// The process's group within a mount of the hierarchy. The mount's root is
// "/" on a host; inside a container it may be the container's own group,
// which /proc/self/cgroup names in full or, with a cgroup namespace, as "/".
fs::path group_directory(const fs::path& mount_point, const std::string& mount_root, const std::string& group) {
  const auto below_mount = [&](const std::string& path) {
    const fs::path relative = fs::path(path).relative_path();
    return relative.empty() ? mount_point : mount_point / relative;
  };
  if (mount_root == "/") return below_mount(group);
  if (group.rfind(mount_root, 0) == 0 && (group.size() == mount_root.size() || group[mount_root.size()] == '/'))
    return below_mount(group.substr(mount_root.size()));
  return mount_point;
}

std::vector<CpuHierarchy> cpu_hierarchies(const fs::path& root) {
  // /proc/self/cgroup: "ID:CONTROLLERS:PATH"; v2's line is "0::PATH".
  std::string v1_group, v2_group;
  std::ifstream membership(root / "proc/self/cgroup");
  for (std::string line; std::getline(membership, line);) {
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string_view controllers = std::string_view(line).substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (line.compare(0, first, "0") == 0 && controllers.empty()) v2_group = path;
    else if (lists(controllers, "cpu")) v1_group = path;
  }

  // /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS
  // [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS".
  std::vector<CpuHierarchy> hierarchies;
  std::ifstream mounts(root / "proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string word; fields >> word;) words.push_back(word);
    const auto dash = std::find(words.begin(), words.end(), "-");
    if (words.size() < 5 || dash == words.end() || words.end() - dash < 4) continue;
    const std::string& type = dash[1];
    const std::string& super_options = dash[3];
    const fs::path mount_point = root / fs::path(unescape_octal(words[4])).relative_path();
    const std::string mount_root = unescape_octal(words[3]);
    if (type == "cgroup2" && !v2_group.empty()) {
      hierarchies.push_back({true, mount_point, group_directory(mount_point, mount_root, v2_group)});
    } else if (type == "cgroup" && !v1_group.empty() && lists(super_options, "cpu")) {
      hierarchies.push_back({false, mount_point, group_directory(mount_point, mount_root, v1_group)});
    }
  }
  return hierarchies;
}

std::optional<double> ratio(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<double>(quota) / static_cast<double>(period);
}

// The quota one group sets, if any.
std::optional<double> group_quota(const CpuHierarchy& hierarchy, const fs::path& group) {
  if (hierarchy.version2) {
    // cpu.max: "QUOTA PERIOD", QUOTA "max" for none.
    std::ifstream file(group / "cpu.max");
    std::string quota;
    long long period = 0;
    if (!(file >> quota >> period) || quota == "max") return std::nullopt;
    try {
      return ratio(std::stoll(quota), period);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  // cpu.cfs_quota_us: -1 for none.
  std::ifstream quota_file(group / "cpu.cfs_quota_us");
  std::ifstream period_file(group / "cpu.cfs_period_us");
  long long quota = 0, period = 0;
  if (!(quota_file >> quota) || !(period_file >> period)) return std::nullopt;
  return ratio(quota, period);
}

}  // namespace

std::optional<double> cgroup_cpu_quota(const fs::path& root) {
  std::optional<double> lowest;
  const auto keep_lowest = [&](std::optional<double> quota) {
    if (quota && (!lowest || *quota < *lowest)) lowest = quota;
  };
  for (const auto& hierarchy : cpu_hierarchies(root)) {
    // A parent's quota caps its children: systemd puts one on a slice, a
    // container runtime on the container's group.
    for (fs::path group = hierarchy.group;; group = group.parent_path()) {
      keep_lowest(group_quota(hierarchy, group));
      if (group == hierarchy.mount_point || group == group.parent_path()) break;
    }
  }
  return lowest;
}

unsigned default_worker_count(std::size_t allowed_cpus, std::optional<double> cpu_quota) {
  std::size_t workers = std::max<std::size_t>(allowed_cpus, 1);
  if (cpu_quota) workers = std::min(workers, static_cast<std::size_t>(std::max(1.0, std::ceil(*cpu_quota))));
  return static_cast<unsigned>(workers);
}

}  // namespace reg::proxy
