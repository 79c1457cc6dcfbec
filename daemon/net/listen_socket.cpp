#include "daemon/net/listen_socket.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>

namespace reg::net {

Status open_listener(boost::asio::ip::tcp::acceptor& acceptor, const HostPort& address, bool reuse_port) {
  const auto fail = [&](const std::string& reason) {
    return make_error("cannot listen on " + address.to_string() + ": " + reason);
  };
  boost::system::error_code error;
  const auto ip = boost::asio::ip::make_address(address.host, error);
  if (error) return fail("not an IP address");
  const boost::asio::ip::tcp::endpoint endpoint(ip, address.port);
  acceptor.open(endpoint.protocol(), error);
  if (error) return fail(error.message());
  acceptor.set_option(boost::asio::socket_base::reuse_address(true), error);
  if (reuse_port) {
    const int on = 1;
    if (setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
      return fail("SO_REUSEPORT unavailable");
  }
  acceptor.bind(endpoint, error);
  if (error) {
    acceptor.close();
    return fail(error.message());
  }
  acceptor.listen(boost::asio::socket_base::max_listen_connections, error);
  if (error) {
    acceptor.close();
    return fail(error.message());
  }
  return success();
}

}  // namespace reg::net
