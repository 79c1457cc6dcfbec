#pragma once
// The receiving end of sd_notify(3): a datagram socket a test binds and
// points NOTIFY_SOCKET at, as systemd does for a Type=notify service.
#include <filesystem>
#include <optional>
#include <string>

#include "common/value_parsers.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {

class NotifySocket {
 public:
  // A socket file in a private directory, or a name in Linux's abstract
  // namespace (NOTIFY_SOCKET "@name"), as systemd may hand out.
  enum class Kind { path, abstract };

  explicit NotifySocket(Kind kind = Kind::path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The value for NOTIFY_SOCKET.
  std::string path() const { return path_; }
  // The next message ("READY=1", "STOPPING=1", …), or nothing within `timeout`.
  std::optional<std::string> next_message(Milliseconds timeout);
  // Skips messages until one contains `line` as a line of its own; false on timeout.
  bool wait_for(const std::string& line, Milliseconds timeout);

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace reg::test
