#include "cli/interrupt.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace regctl {
namespace {

volatile sig_atomic_t interrupt_seen = 0;

void on_interrupt(int) { interrupt_seen = 1; }

}  // namespace

void catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
}

bool interrupted() { return interrupt_seen != 0; }

void clear_interrupt() { interrupt_seen = 0; }

bool sleep_unless_interrupted(reg::Milliseconds duration) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (!interrupted()) {
    const auto left = std::chrono::duration_cast<reg::Milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    std::this_thread::sleep_for(std::min(left, interrupt_check_interval));
  }
  return false;
}

}  // namespace regctl
