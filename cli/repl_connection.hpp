#pragma once
// The shell's own connection to regd, open for as long as the shell: raw
// `> LINE`s, `events` and the prompt's staged count use it, so a
// subscription (or a session a raw REGISTER holds) lives as long as the
// shell, and the lines regd sends on its own arrive while the user types.
#include <optional>
#include <string>
#include <string_view>

#include "cli/control_client.hpp"

namespace regctl {

class ReplConnection {
 public:
  // Send a line and return its reply as it came; `call` throws for ERROR
  // like ControlClient::call. Connects (and authenticates) first when there
  // is no connection or it goes to another server; a lost connection is
  // closed and throws.
  std::string exchange(const ConnectionSettings& settings, std::string_view line);
  Reply call(const ConnectionSettings& settings, std::string_view line);

  // A line regd sent on its own (EVENT, MAINT_OK, SHUTDOWN), if one is
  // waiting; never blocks. A lost connection is closed and throws.
  std::optional<std::string> next_async_line();

  int native_handle() const { return client_ ? client_->native_handle() : -1; }
  void close() { client_.reset(); }

 private:
  ControlClient& to(const ConnectionSettings& settings);

  std::optional<ControlClient> client_;
};

}  // namespace regctl
