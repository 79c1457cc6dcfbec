#include "daemon/proxy/worker_affinity.hpp"

#include <pthread.h>
#include <sched.h>

#include <cstring>
#include <string>

namespace reg::proxy {

Result<WorkerAffinity> parse_worker_affinity(std::string_view text) {
  if (text == "auto") return WorkerAffinity::automatic;
  if (text == "off") return WorkerAffinity::off;
  return make_error("expected auto or off, got '" + std::string(text) + "'");
}

std::vector<unsigned> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<unsigned> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

std::vector<unsigned> choose_worker_cpus(unsigned workers, WorkerAffinity affinity,
                                         const std::vector<unsigned>& allowed) {
  if (affinity == WorkerAffinity::off || workers < 2 || workers > allowed.size()) return {};
  return {allowed.begin(), allowed.begin() + workers};
}

std::string describe_worker_cpus(const std::vector<unsigned>& cpus) {
  if (cpus.empty()) return "none";
  std::string text;
  for (unsigned cpu : cpus) text += (text.empty() ? "" : ",") + std::to_string(cpu);
  return text;
}

Status pin_thread(std::thread& thread, unsigned cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (const int error = pthread_setaffinity_np(thread.native_handle(), sizeof set, &set); error != 0)
    return make_error("cannot pin to CPU " + std::to_string(cpu) + ": " + std::strerror(error));
  return success();
}

}  // namespace reg::proxy
