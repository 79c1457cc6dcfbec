#pragma once
// regctl's connection to regd: connects, authenticates, and turns every
// failure into the Failure (and exit status) the user should see.
#include <optional>
#include <string>
#include <string_view>

#include "cli/connection_settings.hpp"
#include "common/client_connection.hpp"

namespace regctl {

// A reply split at its first '|': "ROUTE_OK|r3" -> {"ROUTE_OK", "r3"}.
struct Reply {
  std::string code;
  std::string payload;
  std::string line;
};
Reply split_reply(std::string line);

class ControlClient {
 public:
  // Connects within the timeout and sends AUTH when a token is configured.
  explicit ControlClient(const ConnectionSettings& settings);

  const ConnectionSettings& settings() const { return settings_; }
  int native_handle() const { return connection_.native_handle(); }

  // The session id for commands that need one; a usage Failure when none is known.
  const std::string& session() const;

  // Sends a line and returns its reply as it came, ERROR included.
  std::string exchange(std::string_view line);
  // Sends a line and returns its reply; an ERROR or REREGISTER reply throws.
  Reply call(std::string_view line);

  // The next line the server sends on its own (EVENT, MAINT_OK, a second-phase
  // ERROR), or nothing when `wait` passes first. A lost connection throws.
  std::optional<std::string> next_line(reg::Milliseconds wait);

 private:
  ConnectionSettings settings_;
  reg::ClientConnection connection_;
};

// Throws the Failure an ERROR or REREGISTER reply stands for; other replies pass.
void throw_if_error(const Reply& reply, const ConnectionSettings& settings);

}  // namespace regctl
