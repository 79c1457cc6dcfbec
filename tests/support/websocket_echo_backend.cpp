#include "support/websocket_echo_backend.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace reg::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class WebSocketEchoBackend::Server {
 public:
  explicit Server(std::unique_ptr<asio::ssl::context> tls) : tls_(std::move(tls)) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_next();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Server() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  std::size_t accepted() const { return accepted_.load(); }

  std::string last_server_name() const {
    std::lock_guard lock(mutex_);
    return last_server_name_;
  }

 private:
  template <class Stream>
  class Connection;

  void accept_next();

  void record_server_name(const char* name) {
    std::lock_guard lock(mutex_);
    last_server_name_ = name ? name : "";
  }

  const std::unique_ptr<asio::ssl::context> tls_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> accepted_{0};
  mutable std::mutex mutex_;
  std::string last_server_name_;
  std::thread thread_;
};

// One websocket, over beast::tcp_stream or TLS over it; each step holds a
// shared_ptr to it, so it lives until the peer goes away or the server stops.
template <class Stream>
class WebSocketEchoBackend::Server::Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... TlsContext>
  Connection(Server& server, tcp::socket socket, TlsContext&... tls)
      : server_(server), ws_(beast::tcp_stream(std::move(socket)), tls...) {}

  void start() {
    if constexpr (kTls) {
      ws_.next_layer().async_handshake(asio::ssl::stream_base::server,
                                       [self = this->shared_from_this()](beast::error_code error) {
                                         if (error) return;
                                         self->server_.record_server_name(SSL_get_servername(
                                             self->ws_.next_layer().native_handle(), TLSEXT_NAMETYPE_host_name));
                                         self->accept();
                                       });
    } else {
      accept();
    }
  }

 private:
  void accept() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code error) {
      if (error) return;
      ++self->server_.accepted_;
      self->read_next();
    });
  }

  void read_next() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code error, std::size_t) {
      if (error) return;
      self->on_message();
    });
  }

  void on_message() {
    if (beast::buffers_to_string(buffer_.data()) == "bye") {
      ws_.async_close(websocket::close_code::normal, [self = this->shared_from_this()](beast::error_code) {});
      return;
    }
    ws_.text(ws_.got_text());
    ws_.async_write(buffer_.data(), [self = this->shared_from_this()](beast::error_code error, std::size_t) {
      if (error) return;
      self->buffer_.consume(self->buffer_.size());
      self->read_next();
    });
  }

  Server& server_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
};

void WebSocketEchoBackend::Server::accept_next() {
  acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (error) return;
    if (tls_) {
      std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls_)->start();
    } else {
      std::make_shared<Connection<beast::tcp_stream>>(*this, std::move(socket))->start();
    }
    accept_next();
  });
}

WebSocketEchoBackend::WebSocketEchoBackend() : server_(std::make_unique<Server>(nullptr)) {}
WebSocketEchoBackend::WebSocketEchoBackend(std::unique_ptr<asio::ssl::context> tls)
    : server_(std::make_unique<Server>(std::move(tls))) {}
WebSocketEchoBackend::~WebSocketEchoBackend() = default;

std::uint16_t WebSocketEchoBackend::port() const { return server_->port(); }
std::size_t WebSocketEchoBackend::accepted() const { return server_->accepted(); }
std::string WebSocketEchoBackend::last_server_name() const { return server_->last_server_name(); }

}  // namespace reg::test
