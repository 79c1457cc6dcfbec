#include "daemon/proxy/upstream_pool.hpp"

#include <array>

namespace reg::proxy {

using boost::asio::ip::tcp;

bool idle_socket_usable(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return false;
  std::array<char, 1> probe;
  socket.receive(boost::asio::buffer(probe), tcp::socket::message_peek, ec);
  return ec == boost::asio::error::would_block;
}

void close_quietly(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

}  // namespace reg::proxy
