#pragma once
// Clock reads for the request path where lagging by one kernel tick (a few
// milliseconds) does no harm: deadlines of seconds, drain and slow-start
// ramps, the age of an idle connection, a breaker's open period. The coarse
// clocks cost a few nanoseconds; a full read costs tens under a hypervisor,
// and a proxied request made eleven of them. Latency keeps the full clock.
#include <chrono>
#include <ctime>

namespace reg::proxy {

namespace coarse_clock_detail {
template <class TimePoint>
TimePoint read(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return TimePoint(std::chrono::duration_cast<typename TimePoint::duration>(std::chrono::seconds(now.tv_sec) +
                                                                            std::chrono::nanoseconds(now.tv_nsec)));
}
}  // namespace coarse_clock_detail

// CLOCK_MONOTONIC_COARSE counts from CLOCK_MONOTONIC's origin, which
// steady_clock reads, so the two kinds of time points compare.
inline std::chrono::steady_clock::time_point coarse_steady_now() {
  return coarse_clock_detail::read<std::chrono::steady_clock::time_point>(CLOCK_MONOTONIC_COARSE);
}

inline std::chrono::system_clock::time_point coarse_system_now() {
  return coarse_clock_detail::read<std::chrono::system_clock::time_point>(CLOCK_REALTIME_COARSE);
}

}  // namespace reg::proxy
