#include "daemon/service_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <ctime>
#include <string>

namespace reg {

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io) : watchdog_timer_(io) {}

void ServiceNotifier::ready() {
  sd_notify(0, "READY=1");
  std::uint64_t interval_usec = 0;
  if (watchdog_interval_.count() == 0 && sd_watchdog_enabled(0, &interval_usec) > 0) {
    watchdog_interval_ = std::chrono::microseconds(interval_usec / 2);
    schedule_watchdog();
  }
}

void ServiceNotifier::reloading() {
  // systemd's notify-reload matches RELOADING=1 to the reload it started by
  // the time it was sent.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = std::uint64_t(now.tv_sec) * 1'000'000 + std::uint64_t(now.tv_nsec) / 1'000;
  sd_notify(0, ("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec)).c_str());
}

void ServiceNotifier::stopping() {
  watchdog_timer_.cancel();
  sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::schedule_watchdog() {
  watchdog_timer_.expires_after(watchdog_interval_);
  watchdog_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    sd_notify(0, "WATCHDOG=1");
    schedule_watchdog();
  });
}

}  // namespace reg
