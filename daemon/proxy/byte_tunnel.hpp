#pragma once
// Copies bytes both ways between a client and a backend after a protocol
// switch (a websocket's 101), until both sides have closed or the pair has
// been quiet for the idle timeout. A half close is passed on, so either side
// can finish sending first.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/value_parsers.hpp"

namespace reg::proxy {

struct TunnelTotals {
  std::uint64_t to_client = 0;
  std::uint64_t from_client = 0;
};

class ByteTunnel : public std::enable_shared_from_this<ByteTunnel> {
 public:
  // `client` belongs to the caller and must outlive the tunnel's `done`.
  ByteTunnel(boost::asio::ip::tcp::socket& client, boost::asio::ip::tcp::socket upstream,
             Milliseconds idle_timeout, std::function<void(TunnelTotals)> done);

  // `to_upstream` and `to_client` are bytes already read from the other side
  // (read ahead behind the handshake); they go first. `done` runs once, on
  // the sockets' executor, after both directions have stopped.
  void start(std::string to_upstream, std::string to_client);
  void close();

 private:
  static constexpr std::size_t kChunkBytes = 16 * 1024;

  struct Direction {
    boost::asio::ip::tcp::socket* from;
    boost::asio::ip::tcp::socket* to;
    std::string read_ahead;
    std::array<char, kChunkBytes> chunk;
    std::uint64_t bytes = 0;
  };

  void send_read_ahead(Direction& direction);
  void forward(Direction& direction, boost::asio::const_buffer bytes);
  void pump(Direction& direction);
  void on_read(Direction& direction, const boost::system::error_code& ec, std::size_t bytes);
  void stop_direction(Direction& direction, bool orderly);
  void watch_idle();

  boost::asio::ip::tcp::socket& client_;
  boost::asio::ip::tcp::socket upstream_;
  Milliseconds idle_timeout_;
  std::function<void(TunnelTotals)> done_;
  boost::asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;
  Direction upstream_bound_;
  Direction client_bound_;
  int running_directions_ = 2;
};

}  // namespace reg::proxy
