#include "daemon/service_notifier.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

namespace reg {
namespace {

// sd_notify(3) is one datagram to the socket NOTIFY_SOCKET names, a protocol
// systemd documents as stable for reimplementation. Sending it here spares
// regd libsystemd and the six compression and crypto libraries it loads
// (about 1 MB of resident memory for one sendto).
void notify(std::string_view state) {
  const char* socket_name = std::getenv("NOTIFY_SOCKET");
  if (socket_name == nullptr) return;
  const std::size_t length = std::strlen(socket_name);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // A path, or an abstract socket written with a leading '@'.
  if (length < 2 || length >= sizeof(address.sun_path) || (socket_name[0] != '/' && socket_name[0] != '@')) return;
  std::memcpy(address.sun_path, socket_name, length);
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address),
           static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
  ::close(fd);
}

// As sd_watchdog_enabled(3): WATCHDOG_USEC, for this process unless
// WATCHDOG_PID names another one. Zero when there is no watchdog.
std::chrono::microseconds watchdog_interval() {
  const char* pid = std::getenv("WATCHDOG_PID");
  if (pid != nullptr && std::strtoll(pid, nullptr, 10) != ::getpid()) return std::chrono::microseconds(0);
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return std::chrono::microseconds(0);
  char* end = nullptr;
  const long long value = std::strtoll(usec, &end, 10);
  if (end == usec || *end != '\0' || value <= 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(value);
}

}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io) : watchdog_timer_(io) {}

void ServiceNotifier::ready() {
  notify("READY=1");
  if (watchdog_interval_.count() == 0) {
    watchdog_interval_ = watchdog_interval() / 2;
    if (watchdog_interval_.count() > 0) schedule_watchdog();
  }
}

void ServiceNotifier::reloading() {
  // systemd's notify-reload matches RELOADING=1 to the reload it started by
  // the time it was sent.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = std::uint64_t(now.tv_sec) * 1'000'000 + std::uint64_t(now.tv_nsec) / 1'000;
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void ServiceNotifier::stopping() {
  watchdog_timer_.cancel();
  notify("STOPPING=1");
}

void ServiceNotifier::schedule_watchdog() {
  watchdog_timer_.expires_after(watchdog_interval_);
  watchdog_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    notify("WATCHDOG=1");
    schedule_watchdog();
  });
}

}  // namespace reg
