#include "support/websocket_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace reg::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Asynchronous Beast operations on a private io_context, run to completion
// one at a time, each within the TCP stream's timeout: the only way to give
// every step one.
class WebSocketClient::Connection {
 public:
  Connection(const HostPort& server, std::string_view host, std::string_view target, Milliseconds timeout)
      : timeout_(timeout) {
    beast::error_code error;
    const auto address = asio::ip::make_address(server.host, error);
    if (error) {
      handshake_.error = "bad address " + server.host;
      return;
    }
    error = run([&](auto done) {
      beast::get_lowest_layer(ws_).async_connect(tcp::endpoint(address, server.port), done);
    });
    if (error) {
      handshake_.error = "cannot connect: " + error.message();
      return;
    }

    websocket::response_type answer;
    error = run([&](auto done) { ws_.async_handshake(answer, host, target, done); });
    handshake_.status = static_cast<int>(answer.result_int());
    for (const auto& field : answer) {
      handshake_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    handshake_.body = answer.body();
    if (error) {
      if (handshake_.status == 0) handshake_.error = error.message();
      return;
    }
    open_ = true;
  }

  bool open() const { return open_; }
  const HttpResponse& handshake() const { return handshake_; }
  const std::string& error() const { return error_; }

  bool send(std::string_view message) {
    ws_.text(true);
    return step(run([&](auto done) { ws_.async_write(asio::buffer(message), done); }));
  }

  std::optional<std::string> receive() {
    beast::flat_buffer buffer;
    if (!step(run([&](auto done) { ws_.async_read(buffer, done); }))) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }

  bool close() {
    return step(run([&](auto done) { ws_.async_close(websocket::close_code::normal, done); }));
  }

 private:
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    beast::get_lowest_layer(ws_).expires_after(timeout_);
    start([&result](beast::error_code error, auto&&...) { result = error; });
    io_.restart();
    io_.run();
    return result;
  }

  bool step(const beast::error_code& error) {
    if (error == websocket::error::closed) {
      error_ = "closed";
    } else {
      error_ = error ? error.message() : "";
    }
    if (error) open_ = false;
    return !error;
  }

  const Milliseconds timeout_;
  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_{io_};
  bool open_ = false;
  HttpResponse handshake_;
  std::string error_;
};

WebSocketClient::WebSocketClient(const HostPort& server, std::string_view host, std::string_view target,
                                 Milliseconds timeout)
    : connection_(std::make_unique<Connection>(server, host, target, timeout)) {}
WebSocketClient::~WebSocketClient() = default;

bool WebSocketClient::open() const { return connection_->open(); }
const HttpResponse& WebSocketClient::handshake() const { return connection_->handshake(); }
bool WebSocketClient::send(std::string_view message) { return connection_->send(message); }
std::optional<std::string> WebSocketClient::receive() { return connection_->receive(); }
bool WebSocketClient::close() { return connection_->close(); }
const std::string& WebSocketClient::error() const { return connection_->error(); }

}  // namespace reg::test
