#pragma once
// Opens a listening TCP socket with the options every regd listener wants,
// and an error a person can act on when it cannot.
#include <boost/asio/ip/tcp.hpp>

#include "common/result.hpp"
#include "common/value_parsers.hpp"

namespace reg::net {

// "cannot listen on 127.0.0.1:81: Address already in use"
Status open_listener(boost::asio::ip::tcp::acceptor& acceptor, const HostPort& address, bool reuse_port);

}  // namespace reg::net
