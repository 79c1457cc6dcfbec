#include "support/notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace reg::test {

NotifySocket::NotifySocket(Kind kind)
    : dir_("regd-notify"),
      path_(kind == Kind::path ? (dir_.path() / "notify").string()
                               : "@regd-test-notify-" + dir_.path().filename().string()) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (fd_ < 0 || path_.size() >= sizeof(address.sun_path)) throw std::runtime_error("cannot create a notify socket");
  std::memcpy(address.sun_path, path_.data(), path_.size());
  socklen_t length = sizeof(address);
  if (kind == Kind::abstract) {
    address.sun_path[0] = '\0';
    length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
  }
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0)
    throw std::runtime_error("cannot bind " + path_ + ": " + std::strerror(errno));
}

NotifySocket::~NotifySocket() { ::close(fd_); }

std::optional<std::string> NotifySocket::next_message(Milliseconds timeout) {
  pollfd ready{fd_, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  char buffer[4096];
  const ssize_t size = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (size < 0) return std::nullopt;
  return std::string(buffer, static_cast<std::size_t>(size));
}

bool NotifySocket::wait_for(const std::string& line, Milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<Milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto message = next_message(left);
    if (!message) return false;
    if (("\n" + *message + "\n").find("\n" + line + "\n") != std::string::npos) return true;
  }
}

}  // namespace reg::test
