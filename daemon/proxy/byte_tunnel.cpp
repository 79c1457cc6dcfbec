#include "daemon/proxy/byte_tunnel.hpp"

#include <array>
#include <chrono>

#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kChunkBytes = 16 * 1024;

tcp::socket& transport(tcp::socket& socket) { return socket; }
tcp::socket& transport(TlsUpstream& stream) { return beast::get_lowest_layer(stream).socket(); }

// The tunnel for one kind of backend stream. Templated rather than
// type-erased, so the plain path's per-read work is what it would be if TLS
// did not exist.
template <class Upstream>
class StreamTunnel final : public ByteTunnel, public std::enable_shared_from_this<StreamTunnel<Upstream>> {
 public:
  StreamTunnel(tcp::socket& client, Upstream upstream, Milliseconds idle_timeout,
               std::function<void(TunnelTotals)> done)
      : client_(client),
        upstream_(std::move(upstream)),
        idle_timeout_(idle_timeout),
        done_(std::move(done)),
        idle_timer_(client.get_executor()),
        upstream_bound_{&client_, &upstream_},
        client_bound_{&upstream_, &client_} {}

  void start(std::string to_upstream, std::string to_client) override {
    last_activity_ = std::chrono::steady_clock::now();
    upstream_bound_.read_ahead = std::move(to_upstream);
    client_bound_.read_ahead = std::move(to_client);
    send_read_ahead(upstream_bound_);
    send_read_ahead(client_bound_);
    watch_idle();
  }

  void close() override {
    error_code ignored;
    client_.close(ignored);
    transport(upstream_).close(ignored);
    idle_timer_.cancel();
  }

 private:
  template <class From, class To>
  struct Direction {
    Direction(From* from, To* to) : from(from), to(to) {}

    From* from;
    To* to;
    std::string read_ahead;
    std::array<char, kChunkBytes> chunk{};
    std::uint64_t bytes = 0;
    bool running = true;
  };

  template <class D>
  void send_read_ahead(D& direction) {
    if (direction.read_ahead.empty()) return pump(direction);
    forward(direction, asio::buffer(direction.read_ahead));
  }

  template <class D>
  void forward(D& direction, asio::const_buffer bytes) {
    asio::async_write(*direction.to, bytes,
                      [self = this->shared_from_this(), &direction](const error_code& ec, std::size_t written) {
                        direction.bytes += written;
                        if (ec) return self->stop_direction(direction, false);
                        self->pump(direction);
                      });
  }

  template <class D>
  void pump(D& direction) {
    direction.from->async_read_some(
        asio::buffer(direction.chunk),
        [self = this->shared_from_this(), &direction](const error_code& ec, std::size_t bytes) {
          self->on_read(direction, ec, bytes);
        });
  }

  // A TLS backend that closes TCP without close_notify is not an orderly
  // end (stream_truncated): the bytes before it may have been cut short.
  template <class D>
  void on_read(D& direction, const error_code& ec, std::size_t bytes) {
    if (ec) return stop_direction(direction, ec == asio::error::eof);
    last_activity_ = std::chrono::steady_clock::now();
    forward(direction, asio::buffer(direction.chunk.data(), bytes));
  }

  // An orderly end (EOF) is passed on as a half close, and the other direction
  // carries on; anything else tears the whole tunnel down.
  template <class D>
  void stop_direction(D& direction, bool orderly) {
    direction.running = false;
    if (!orderly) {
      close();
      return direction_stopped();
    }
    end_sending(*direction.to);
  }

  void end_sending(tcp::socket& socket) {
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    direction_stopped();
  }

  // Towards a TLS backend the end is a close_notify. asio can only send one
  // as part of a full shutdown, which then reads (and discards) whatever the
  // backend still sends until its own close_notify. So close_notify goes out
  // only once the backend has finished sending; before that, the end is a
  // TCP half close, and the backend sees the stream end without close_notify.
  void end_sending(TlsUpstream& stream) {
    if (client_bound_.running) {
      error_code ignored;
      transport(stream).shutdown(tcp::socket::shutdown_send, ignored);
      return direction_stopped();
    }
    stream.async_shutdown([self = this->shared_from_this()](const error_code&) { self->direction_stopped(); });
  }

  void direction_stopped() {
    if (--running_directions_ > 0) return;
    close();
    auto done = std::move(done_);
    done(TunnelTotals{client_bound_.bytes, upstream_bound_.bytes});
  }

  void watch_idle() {
    idle_timer_.expires_at(last_activity_ + idle_timeout_);
    idle_timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (ec || self->running_directions_ == 0) return;
      if (std::chrono::steady_clock::now() - self->last_activity_ >= self->idle_timeout_) return self->close();
      self->watch_idle();
    });
  }

  tcp::socket& client_;
  Upstream upstream_;
  Milliseconds idle_timeout_;
  std::function<void(TunnelTotals)> done_;
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;
  Direction<tcp::socket, Upstream> upstream_bound_;
  Direction<Upstream, tcp::socket> client_bound_;
  int running_directions_ = 2;
};

}  // namespace

std::shared_ptr<ByteTunnel> make_byte_tunnel(tcp::socket& client, tcp::socket upstream, Milliseconds idle_timeout,
                                             std::function<void(TunnelTotals)> done) {
  return std::make_shared<StreamTunnel<tcp::socket>>(client, std::move(upstream), idle_timeout, std::move(done));
}

std::shared_ptr<ByteTunnel> make_byte_tunnel(tcp::socket& client, TlsUpstream upstream, Milliseconds idle_timeout,
                                             std::function<void(TunnelTotals)> done) {
  return std::make_shared<StreamTunnel<TlsUpstream>>(client, std::move(upstream), idle_timeout, std::move(done));
}

}  // namespace reg::proxy
