#pragma once
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace reg::proxy {

// A connection to an https or wss backend.
using TlsUpstream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace reg::proxy
