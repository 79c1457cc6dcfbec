#pragma once
// Tells systemd (Type=notify, or notify-reload from systemd 253) where regd
// is in its life: READY=1 once every listener is bound, RELOADING=1 and
// READY=1 around a SIGHUP reload, STOPPING=1 at shutdown, and WATCHDOG=1 at
// half the watchdog interval when the unit has WatchdogSec=. Without
// NOTIFY_SOCKET every call does nothing.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace reg {

class ServiceNotifier {
 public:
  explicit ServiceNotifier(boost::asio::io_context& io);

  // Also starts the watchdog pings: they run on the control thread, so a
  // stuck control plane stops them and systemd restarts regd.
  void ready();
  void reloading();
  void stopping();

 private:
  void schedule_watchdog();

  boost::asio::steady_timer watchdog_timer_;
  std::chrono::microseconds watchdog_interval_{0};
};

}  // namespace reg
