#pragma once
// A real websocket server on 127.0.0.1, plain (ws://) or over TLS (wss://),
// that sends every message back. The message "bye" makes it close the
// websocket itself instead, so tests can see a backend end the tunnel.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace reg::test {

class WebSocketEchoBackend {
 public:
  WebSocketEchoBackend();
  // A wss backend presenting `tls`'s certificate (see TestPki).
  explicit WebSocketEchoBackend(std::unique_ptr<boost::asio::ssl::context> tls);
  ~WebSocketEchoBackend();
  WebSocketEchoBackend(const WebSocketEchoBackend&) = delete;
  WebSocketEchoBackend& operator=(const WebSocketEchoBackend&) = delete;

  std::uint16_t port() const;
  // Websocket handshakes completed so far.
  std::size_t accepted() const;
  // The server name (SNI) the last TLS client sent; "" when it sent none.
  std::string last_server_name() const;

 private:
  class Server;
  std::unique_ptr<Server> server_;
};

}  // namespace reg::test
