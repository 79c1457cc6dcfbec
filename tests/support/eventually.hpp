#pragma once
// Waiting for a condition instead of sleeping for a guessed time: tests stay
// fast on an idle machine and correct on a loaded one.
#include <chrono>
#include <thread>

#include "common/value_parsers.hpp"

namespace reg::test {

inline constexpr Milliseconds condition_timeout{15'000};

// Polls `condition` until it holds or `timeout` passes; returns its last result.
template <class Condition>
bool eventually(Condition condition, Milliseconds timeout = condition_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(Milliseconds{25});
  }
  return true;
}

}  // namespace reg::test
