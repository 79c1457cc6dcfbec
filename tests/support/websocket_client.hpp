#pragma once
// A blocking websocket client for going through regd's proxy. Every step has
// a timeout; failures are part of the answer, because a refused upgrade is
// often exactly what a test looks for.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/value_parsers.hpp"
#include "support/http_client.hpp"

namespace reg::test {

class WebSocketClient {
 public:
  // Connects to `server` and asks for a websocket on `target`, with `host`
  // as the Host header.
  WebSocketClient(const HostPort& server, std::string_view host, std::string_view target,
                  Milliseconds timeout = default_http_timeout);
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  bool open() const;
  // The answer to the upgrade request: a 101, or the refusal ("502 bad
  // gateway: …"), or why there was none (status 0).
  const HttpResponse& handshake() const;

  // Sends a text message; false when it could not be sent.
  bool send(std::string_view message);
  // The next message, or nullopt when the websocket closed or failed (see
  // `error`).
  std::optional<std::string> receive();
  // Sends a close frame and waits for the peer's; true on a clean close.
  bool close();
  // Why the last step failed: "" after a success, "closed" after a clean
  // close by the peer.
  const std::string& error() const;

 private:
  class Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace reg::test
