#pragma once
// The I/O object types of a proxy worker, bound to the concrete executor of
// its io_context. The defaults (tcp::socket, beast::tcp_stream) carry a
// type-erased any_io_executor, and copying and destroying it on every
// asynchronous operation was a tenth of the proxy's user time.
#include <chrono>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/basic_stream.hpp>

namespace reg::proxy {

using WorkerExecutor = boost::asio::io_context::executor_type;
using WorkerSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, WorkerExecutor>;
using WorkerStream = boost::beast::basic_stream<boost::asio::ip::tcp, WorkerExecutor>;
using WorkerTimer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                      boost::asio::wait_traits<std::chrono::steady_clock>, WorkerExecutor>;
using WorkerResolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, WorkerExecutor>;

}  // namespace reg::proxy
