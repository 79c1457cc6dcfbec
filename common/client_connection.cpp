#include "common/client_connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

namespace reg {
namespace {

using Clock = std::chrono::steady_clock;

// The longest a send may wait for the server to drain its receive buffer. The
// interface has no send timeout: a server that stops reading is broken, and a
// client must not hang on it forever.
constexpr Milliseconds send_stall_limit{30'000};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// poll() for one event, retrying on EINTR. Returns >0 ready, 0 timed out, <0 error.
int wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, remaining_ms(deadline));
    if (ready >= 0 || errno != EINTR) return ready;
  }
}

// One non-blocking connect attempt. Returns the connected socket or -1 with errno set.
int connect_one(const addrinfo& address, Clock::time_point deadline) {
  const int fd =
      ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address.ai_protocol);
  if (fd < 0) return -1;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) == 0) return fd;
  if (errno != EINPROGRESS) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  const int ready = wait_for(fd, POLLOUT, deadline);
  int error = 0;
  if (ready == 0) {
    error = ETIMEDOUT;
  } else if (ready < 0) {
    error = errno;
  } else {
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  }
  if (error != 0) {
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

}  // namespace

ClientConnection::ClientConnection(ClientConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      async_lines_(std::move(other.async_lines_)) {}

ClientConnection& ClientConnection::operator=(ClientConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    async_lines_ = std::move(other.async_lines_);
  }
  return *this;
}

ClientConnection::~ClientConnection() { close(); }

void ClientConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Result<ClientConnection> ClientConnection::connect(const HostPort& server, Milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string failure = "cannot connect to " + server.to_string() + ": ";

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string port = std::to_string(server.port);
  const int lookup = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &addresses);
  if (lookup != 0) return make_error(failure + ::gai_strerror(lookup));

  int fd = -1;
  int last_error = ECONNREFUSED;
  for (const addrinfo* address = addresses; address != nullptr && fd < 0; address = address->ai_next) {
    fd = connect_one(*address, deadline);
    if (fd < 0) last_error = errno;
  }
  ::freeaddrinfo(addresses);
  if (fd < 0) {
    return make_error(failure + (last_error == ETIMEDOUT ? std::string("timed out")
                                                         : std::string(std::strerror(last_error))));
  }

  // Commands are small and a client waits for each reply: Nagle would only add latency.
  const int enable = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &enable, sizeof enable);
  return ClientConnection(fd);
}

Status ClientConnection::send_line(std::string_view line) {
  std::string framed;
  framed.reserve(line.size() + 1);
  framed.append(line);
  framed.push_back('\n');
  return send_raw(framed);
}

Status ClientConnection::send_raw(std::string_view bytes) {
  if (fd_ < 0) return make_error("not connected");
  const auto deadline = Clock::now() + send_stall_limit;
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const int ready = wait_for(fd_, POLLOUT, deadline);
      if (ready == 0) return make_error("timed out sending to the server");
      if (ready < 0) return make_error(std::string("cannot send: ") + std::strerror(errno));
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET) return make_error("connection closed by the server");
    return make_error(std::string("cannot send: ") + std::strerror(errno));
  }
  return success();
}

Result<std::string> ClientConnection::read_line(Milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t scanned = 0;
  for (;;) {
    const auto end = buffer_.find('\n', scanned);
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    scanned = buffer_.size();
    if (fd_ < 0) return make_error("connection closed by the server");

    const int ready = wait_for(fd_, POLLIN, deadline);
    if (ready == 0) return make_error("timed out waiting for the server");
    if (ready < 0) return make_error(std::string("cannot read: ") + std::strerror(errno));

    char chunk[16 * 1024];
    const ssize_t received = ::recv(fd_, chunk, sizeof chunk, 0);
    if (received > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(received));
    } else if (received == 0 || errno == ECONNRESET) {
      return make_error("connection closed by the server");
    } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
      return make_error(std::string("cannot read: ") + std::strerror(errno));
    }
  }
}

Result<std::string> ClientConnection::request(std::string_view line, Milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  if (auto sent = send_line(line); !sent) return make_error(sent.error());
  for (;;) {
    auto reply = read_line(std::chrono::duration_cast<Milliseconds>(deadline - Clock::now()));
    if (!reply || !is_async_line(*reply)) return reply;
    async_lines_.push_back(std::move(*reply));
  }
}

bool ClientConnection::is_async_line(std::string_view line) {
  return line.starts_with("EVENT|") || line == "MAINT_OK" || line.starts_with("MAINT_OK|") ||
         line == "SHUTDOWN";
}

std::string ClientConnection::take_async_line() {
  std::string line = std::move(async_lines_.front());
  async_lines_.pop_front();
  return line;
}

}  // namespace reg
