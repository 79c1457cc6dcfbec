#pragma once
// A write that skips the trip through the scheduler when the socket takes
// all of it at once, as it nearly always does for a small message. asio's
// async_write completes even such a write through a queued handler: a work
// count, the scheduler's lock, the composed operation's state. A write the
// socket does not take whole, or that fails, goes on through async_write,
// so the handler only ever runs inside this call after complete success.
#include <cstddef>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/system/error_code.hpp>

namespace reg::proxy {

// `socket` must be in non-blocking mode (non_blocking(true)), or a write it
// cannot take at once would wait.
template <class Socket, class Buffers, class Handler>
void write_eagerly(Socket& socket, const Buffers& buffers, Handler&& handler) {
  boost::system::error_code ec;
  const std::size_t written = socket.write_some(buffers, ec);
  if (!ec && written == boost::asio::buffer_size(buffers)) return std::forward<Handler>(handler)(ec, written);
  if (ec) return boost::asio::async_write(socket, buffers, std::forward<Handler>(handler));
  boost::beast::buffers_suffix<Buffers> rest(buffers);
  rest.consume(written);
  boost::asio::async_write(socket, rest,
                           [written, handler = std::forward<Handler>(handler)](
                               const boost::system::error_code& error, std::size_t more) mutable {
                             handler(error, written + more);
                           });
}

}  // namespace reg::proxy
