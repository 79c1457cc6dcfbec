#include "daemon/proxy/byte_tunnel.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

}  // namespace

ByteTunnel::ByteTunnel(tcp::socket& client, tcp::socket upstream, Milliseconds idle_timeout,
                       std::function<void(TunnelTotals)> done)
    : client_(client),
      upstream_(std::move(upstream)),
      idle_timeout_(idle_timeout),
      done_(std::move(done)),
      idle_timer_(upstream_.get_executor()),
      upstream_bound_{&client_, &upstream_, {}, {}, 0},
      client_bound_{&upstream_, &client_, {}, {}, 0} {}

void ByteTunnel::start(std::string to_upstream, std::string to_client) {
  last_activity_ = std::chrono::steady_clock::now();
  upstream_bound_.read_ahead = std::move(to_upstream);
  client_bound_.read_ahead = std::move(to_client);
  send_read_ahead(upstream_bound_);
  send_read_ahead(client_bound_);
  watch_idle();
}

void ByteTunnel::close() {
  error_code ignored;
  client_.close(ignored);
  upstream_.close(ignored);
  idle_timer_.cancel();
}

void ByteTunnel::send_read_ahead(Direction& direction) {
  if (direction.read_ahead.empty()) return pump(direction);
  forward(direction, asio::buffer(direction.read_ahead));
}

void ByteTunnel::forward(Direction& direction, asio::const_buffer bytes) {
  asio::async_write(*direction.to, bytes,
                    [self = shared_from_this(), &direction](const error_code& ec, std::size_t written) {
                      direction.bytes += written;
                      if (ec) return self->stop_direction(direction, false);
                      self->pump(direction);
                    });
}

void ByteTunnel::pump(Direction& direction) {
  direction.from->async_read_some(
      asio::buffer(direction.chunk),
      [self = shared_from_this(), &direction](const error_code& ec, std::size_t bytes) {
        self->on_read(direction, ec, bytes);
      });
}

void ByteTunnel::on_read(Direction& direction, const error_code& ec, std::size_t bytes) {
  if (ec) return stop_direction(direction, ec == asio::error::eof);
  last_activity_ = std::chrono::steady_clock::now();
  forward(direction, asio::buffer(direction.chunk.data(), bytes));
}

// An orderly end (EOF) is passed on as a half close, and the other direction
// carries on; anything else tears the whole tunnel down.
void ByteTunnel::stop_direction(Direction& direction, bool orderly) {
  error_code ignored;
  if (orderly) {
    direction.to->shutdown(tcp::socket::shutdown_send, ignored);
  } else {
    close();
  }
  if (--running_directions_ > 0) return;
  close();
  auto done = std::move(done_);
  done(TunnelTotals{client_bound_.bytes, upstream_bound_.bytes});
}

void ByteTunnel::watch_idle() {
  idle_timer_.expires_at(last_activity_ + idle_timeout_);
  idle_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->running_directions_ == 0) return;
    if (std::chrono::steady_clock::now() - self->last_activity_ >= self->idle_timeout_) return self->close();
    self->watch_idle();
  });
}

}  // namespace reg::proxy
