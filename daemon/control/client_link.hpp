#pragma once
// A control connection as the control plane sees it: where asynchronous
// lines (MAINT_OK, SHUTDOWN) and events go. Implemented by ControlConnection.
#include <cstdint>
#include <string>

namespace reg::control {

using ConnectionId = std::uint64_t;

class ClientLink {
 public:
  virtual ~ClientLink() = default;
  virtual ConnectionId connection_id() const = 0;
  // Queued after every reply already produced on this connection.
  virtual void send_line(std::string line) = 0;
  // Events wait in a bounded queue; past it the oldest are dropped.
  virtual void send_event(std::string line) = 0;
};

}  // namespace reg::control
