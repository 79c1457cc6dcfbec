#pragma once
// A process's resident memory, for tests and benchmarks that bound it.
#include <sys/types.h>

#include <fstream>
#include <stdexcept>
#include <string>

namespace reg::test {

// VmRSS of /proc/PID/status, in kB.
inline long resident_kb(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  throw std::runtime_error("no VmRSS in " + path);
}

}  // namespace reg::test
