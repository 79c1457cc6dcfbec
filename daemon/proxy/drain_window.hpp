#pragma once
// Drain maths (PROTOCOL.md §5 "Operations"): a session's share of traffic
// falls linearly from 100 % to 0 % over the drain's duration. Pure functions
// of a clock value, so control plane and proxy agree and tests need no sleeps.
#include <algorithm>
#include <chrono>

#include "common/value_parsers.hpp"

namespace reg::proxy {

using SystemTime = std::chrono::system_clock::time_point;

struct DrainWindow {
  SystemTime started_at;
  Milliseconds duration{0};

  SystemTime completes_at() const { return started_at + duration; }

  // 1.0 at the start, 0.0 at and after completion.
  double traffic_fraction(SystemTime now) const {
    if (duration.count() <= 0 || now >= completes_at()) return 0.0;
    if (now <= started_at) return 1.0;
    const double elapsed = std::chrono::duration<double, std::milli>(now - started_at).count();
    return std::clamp(1.0 - elapsed / static_cast<double>(duration.count()), 0.0, 1.0);
  }

  bool completed(SystemTime now) const { return now >= completes_at(); }

  bool operator==(const DrainWindow&) const = default;
};

}  // namespace reg::proxy
