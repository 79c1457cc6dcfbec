#pragma once
// A small blocking connection to regd's control port, for regctl and tests.
// Plain POSIX sockets and poll(): a CLI that starts, asks and exits in a few
// milliseconds has no use for an event loop.
#include <deque>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/value_parsers.hpp"

namespace reg {

class ClientConnection {
 public:
  ClientConnection() = default;
  ClientConnection(ClientConnection&& other) noexcept;
  ClientConnection& operator=(ClientConnection&& other) noexcept;
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;
  ~ClientConnection();

  // Resolves and connects within `timeout`. Errors read "cannot connect to
  // HOST:PORT: reason".
  static Result<ClientConnection> connect(const HostPort& server, Milliseconds timeout);

  bool is_open() const { return fd_ >= 0; }
  // For poll() in a loop that also waits on other descriptors (regctl shell).
  int native_handle() const { return fd_; }
  void close();

  // Sends `line` followed by LF.
  Status send_line(std::string_view line);
  // Sends bytes exactly as given (framing tests, pipelining).
  Status send_raw(std::string_view bytes);

  // The next line from the server, LF (and a CR before it) removed. Errors:
  // "timed out waiting for the server" or "connection closed by the server".
  Result<std::string> read_line(Milliseconds timeout);

  // Sends one command and returns its reply. Asynchronous lines that arrive
  // first (EVENT|, MAINT_OK|, SHUTDOWN) are kept for take_async_line().
  Result<std::string> request(std::string_view line, Milliseconds timeout);

  // True when the line is one the server sends on its own, not a reply.
  static bool is_async_line(std::string_view line);

  bool has_async_line() const { return !async_lines_.empty(); }
  std::string take_async_line();

 private:
  explicit ClientConnection(int fd) : fd_(fd) {}

  int fd_ = -1;
  std::string buffer_;  // bytes read past the last returned line
  std::deque<std::string> async_lines_;
};

}  // namespace reg
