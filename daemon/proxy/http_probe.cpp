#include "daemon/proxy/http_probe.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "daemon/proxy/tls_client_context.hpp"

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

// Large cookies or policy headers must not make a healthy backend look broken.
constexpr std::uint32_t kHeaderLimit = 64 * 1024;
// The body is read only so that the backend sees an orderly close rather than
// a reset; beyond this much it is not worth the wait.
constexpr std::size_t kBodyDrainLimit = 64 * 1024;

std::string host_header(const BackendUrl& backend) {
  std::string host = backend.host.find(':') == std::string::npos ? backend.host
                                                                  : "[" + backend.host + "]";
  std::uint16_t default_port = backend.tls() ? 443 : 80;
  return backend.port == default_port ? host : host + ":" + std::to_string(backend.port);
}

http::request<http::empty_body> make_request(const BackendUrl& backend, const std::string& path) {
  std::string target = backend.base_path + path;
  if (target.empty()) target = "/";
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host_header(backend));
  request.set(http::field::user_agent, "regd-probe");
  request.set(http::field::connection, "close");
  return request;
}

bool is_http_syntax_error(error_code ec) {
  return ec.category() == make_error_code(http::error::bad_version).category();
}

class Probe : public std::enable_shared_from_this<Probe> {
 public:
  Probe(asio::io_context& io, const BackendUrl& backend, const std::string& path,
        Milliseconds timeout, std::function<void(ProbeResult)> done)
      : started_(Clock::now()),
        host_(backend.host),
        port_(std::to_string(backend.port)),
        timeout_(timeout),
        done_(std::move(done)),
        resolver_(io),
        socket_(io),
        deadline_(io),
        request_(make_request(backend, path)) {
    parser_.header_limit(kHeaderLimit);
    // The drain below bounds the body; Beast 1.74 cannot take boost::none here.
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (backend.tls()) {
      tls_context_ = shared_tls_client_context();
      tls_.emplace(socket_, *tls_context_);
    }
  }

  void start() {
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->on_deadline();
    });
    resolver_.async_resolve(host_, port_,
                            [self = shared_from_this()](error_code ec,
                                                        tcp::resolver::results_type endpoints) {
                              self->on_resolve(ec, std::move(endpoints));
                            });
  }

 private:
  enum class Step { resolve, connect, handshake, exchange };

  void on_resolve(error_code ec, tcp::resolver::results_type endpoints) {
    // Cancelling cannot interrupt a lookup already running; connecting after
    // the deadline would reopen the socket that on_deadline closed.
    if (timed_out_) return;
    if (ec) return fail(ec, Step::resolve);
    asio::async_connect(socket_, endpoints,
                        [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
                          self->on_connect(ec);
                        });
  }

  void on_connect(error_code ec) {
    if (ec) return fail(ec, Step::connect);
    if (!tls_) return send_request();

    expect_server_name(tls_->native_handle(), host_);
    tls_->async_handshake(ssl::stream_base::client,
                          [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(error_code ec) {
    if (ec) return fail(ec, Step::handshake);
    tls_valid_ = true;
    send_request();
  }

  void send_request() {
    with_stream([this](auto& stream) {
      http::async_write(stream, request_,
                        [self = shared_from_this()](error_code ec, std::size_t) {
                          self->on_request_sent(ec);
                        });
    });
  }

  void on_request_sent(error_code ec) {
    if (ec) return fail(ec, Step::exchange);
    with_stream([this](auto& stream) {
      http::async_read_header(stream, buffer_, parser_,
                              [self = shared_from_this()](error_code ec, std::size_t) {
                                self->on_header(ec);
                              });
    });
  }

  void on_header(error_code ec) {
    if (ec) return fail(ec, Step::exchange);
    ProbeResult result;
    result.reachable = true;
    result.status_code = static_cast<int>(parser_.get().result_int());
    result.response_time = std::chrono::duration_cast<Milliseconds>(Clock::now() - started_);
    result.tls_valid = tls_valid_;
    deliver(std::move(result));
    drain_body();
  }

  void drain_body() {
    if (parser_.is_done() || drained_ >= kBodyDrainLimit) return finish();
    parser_.get().body().data = drain_buffer_.data();
    parser_.get().body().size = drain_buffer_.size();
    with_stream([this](auto& stream) {
      http::async_read(stream, buffer_, parser_,
                       [self = shared_from_this()](error_code ec, std::size_t) {
                         self->on_body_read(ec);
                       });
    });
  }

  void on_body_read(error_code ec) {
    if (ec && ec != http::error::need_buffer) return finish();
    drained_ += drain_buffer_.size() - parser_.get().body().size;
    drain_body();
  }

  void on_deadline() {
    timed_out_ = true;
    deliver(failure("timeout"));
    resolver_.cancel();
    close();
  }

  void fail(error_code ec, Step step) {
    deliver(failure(describe(ec, step)));
    finish();
  }

  void finish() {
    deadline_.cancel();
    close();
  }

  // The request asked for Connection: close, so closing ends the exchange; a
  // TLS close_notify would only add a round trip the backend does not need.
  void close() {
    error_code already_closed;
    socket_.close(already_closed);
  }

  void deliver(ProbeResult result) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  static ProbeResult failure(std::string error) {
    ProbeResult result;
    result.error = std::move(error);
    return result;
  }

  std::string describe(error_code ec, Step step) {
    if (step == Step::resolve) return "dns: " + ec.message();
    if (ec == asio::error::connection_refused) return "connection refused";
    if (step == Step::handshake) return "tls: " + describe_tls_failure(tls_->native_handle(), ec);
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == ssl::error::stream_truncated) {
      return "connection closed without a response";
    }
    if (is_http_syntax_error(ec)) return "invalid http response: " + ec.message();
    return ec.message();
  }

  template <class Operation>
  void with_stream(Operation&& operation) {
    if (tls_) {
      operation(*tls_);
    } else {
      operation(socket_);
    }
  }

  const Clock::time_point started_;
  const std::string host_;
  const std::string port_;
  const Milliseconds timeout_;
  std::function<void(ProbeResult)> done_;

  tcp::resolver resolver_;
  tcp::socket socket_;
  std::shared_ptr<ssl::context> tls_context_;
  std::optional<ssl::stream<tcp::socket&>> tls_;
  asio::steady_timer deadline_;
  bool timed_out_ = false;
  bool tls_valid_ = false;

  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::buffer_body> parser_;
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
};

}  // namespace

void async_probe(boost::asio::io_context& io, const BackendUrl& backend, std::string path,
                 Milliseconds timeout, std::function<void(ProbeResult)> done) {
  std::make_shared<Probe>(io, backend, path, timeout, std::move(done))->start();
}

}  // namespace reg::proxy
