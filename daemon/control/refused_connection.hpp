#pragma once
// A control connection over the connection limit: it gets one line saying
// why, then is closed.
#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace reg::control {

// Sends `line` (without its LF) and closes. Input the client already sent is
// read and dropped for a moment first, so the close does not become a reset
// that destroys the line before the client reads it.
void refuse_connection(boost::asio::ip::tcp::socket socket, std::string line);

}  // namespace reg::control
