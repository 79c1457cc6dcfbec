#include "daemon/control/refused_connection.hpp"

#include <array>
#include <chrono>
#include <memory>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace reg::control {
namespace {

using boost::system::error_code;

// Short: a refused client holds a file descriptor until then.
constexpr auto kLingerTime = std::chrono::seconds(1);

class RefusedConnection : public std::enable_shared_from_this<RefusedConnection> {
 public:
  RefusedConnection(boost::asio::ip::tcp::socket socket, std::string line)
      : socket_(std::move(socket)), line_(std::move(line) + '\n'), linger_(socket_.get_executor()) {}

  void start() {
    boost::asio::async_write(socket_, boost::asio::buffer(line_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->close();
      self->socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
      self->linger_.expires_after(kLingerTime);
      self->linger_.async_wait([self](error_code) { self->close(); });
      self->drain();
    });
  }

 private:
  void drain() {
    socket_.async_read_some(boost::asio::buffer(discard_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->close();
      self->drain();
    });
  }

  void close() {
    error_code ignored;
    linger_.cancel();
    socket_.close(ignored);
  }

  boost::asio::ip::tcp::socket socket_;
  std::string line_;
  boost::asio::steady_timer linger_;
  std::array<char, 4096> discard_{};
};

}  // namespace

void refuse_connection(boost::asio::ip::tcp::socket socket, std::string line) {
  std::make_shared<RefusedConnection>(std::move(socket), std::move(line))->start();
}

}  // namespace reg::control
