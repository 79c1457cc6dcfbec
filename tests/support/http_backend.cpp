#include "support/http_backend.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace reg::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class HttpBackend::Server {
 public:
  Server(std::string name, unsigned status, Milliseconds delay, std::unique_ptr<asio::ssl::context> tls)
      : name_(std::move(name)), status_(status), delay_(delay), tls_(std::move(tls)) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_next();
    // Two threads, so a delayed answer does not hold up another connection.
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  ~Server() {
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }

  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_ != nullptr; }
  std::size_t connection_count() const { return connections_.load(); }
  void set_status(unsigned status) { status_ = status; }

  std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  template <class Stream>
  class Connection;

  void accept_next();

  void record(const http::request<http::string_body>& request) {
    RecordedRequest recorded{std::string(request.method_string()), std::string(request.target()), {}};
    for (const auto& field : request) {
      recorded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(recorded));
  }

  const std::string name_;
  std::atomic<unsigned> status_;
  std::atomic<std::size_t> connections_{0};
  const Milliseconds delay_;
  const std::unique_ptr<asio::ssl::context> tls_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::thread> threads_;
};

// One client connection, plain (beast::tcp_stream) or TLS over it; each step
// holds a shared_ptr to it, so it lives until the peer goes away or the server stops.
template <class Stream>
class HttpBackend::Server::Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <class... TlsContext>
  Connection(Server& server, tcp::socket socket, TlsContext&... tls)
      : server_(server), stream_(beast::tcp_stream(std::move(socket)), tls...), timer_(stream_.get_executor()) {}

  void handshake() {
    stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code error) {
      if (!error) self->read_next();
    });
  }

  void read_next() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                       if (!error) self->on_request();
                     });
  }

 private:
  void on_request() {
    server_.record(request_);
    if (server_.delay_.count() == 0) return respond();
    timer_.expires_after(server_.delay_);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code) { self->respond(); });
  }

  void respond() {
    response_ = {};
    response_.version(11);
    response_.result(server_.status_.load());
    response_.set(http::field::content_type, "text/plain");
    response_.set("X-Backend", server_.name_);
    response_.body() = "backend:" + server_.name_;
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = this->shared_from_this()](beast::error_code error, std::size_t) {
      if (error) return;
      if (self->response_.keep_alive()) return self->read_next();
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_send, error);
    });
  }

  Server& server_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void HttpBackend::Server::accept_next() {
  acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (error) return;
    ++connections_;
    if (tls_) {
      std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls_)->handshake();
    } else {
      std::make_shared<Connection<beast::tcp_stream>>(*this, std::move(socket))->read_next();
    }
    accept_next();
  });
}

HttpBackend::HttpBackend(std::string name, unsigned status, Milliseconds delay)
    : server_(std::make_unique<Server>(std::move(name), status, delay, nullptr)) {}

HttpBackend::HttpBackend(std::string name, std::unique_ptr<asio::ssl::context> tls)
    : server_(std::make_unique<Server>(std::move(name), 200, Milliseconds{0}, std::move(tls))) {}

HttpBackend::~HttpBackend() = default;

std::string HttpBackend::url() const {
  return (server_->tls() ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(server_->port());
}
void HttpBackend::set_status(unsigned status) { server_->set_status(status); }
std::size_t HttpBackend::request_count() const { return server_->request_count(); }
std::size_t HttpBackend::connection_count() const { return server_->connection_count(); }
std::vector<RecordedRequest> HttpBackend::requests() const { return server_->requests(); }

std::optional<RecordedRequest> HttpBackend::last_request() const {
  auto all = requests();
  if (all.empty()) return std::nullopt;
  return std::move(all.back());
}

}  // namespace reg::test
