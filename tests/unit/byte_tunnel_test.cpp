#include "daemon/proxy/byte_tunnel.hpp"

#include <future>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "support/test_pki.hpp"

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct Pair {
  tcp::socket near;
  tcp::socket far;
};

Pair connected_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket near(io);
  near.connect(acceptor.local_endpoint());
  return Pair{std::move(near), acceptor.accept()};
}

// Everything `stream` receives until the peer closes its sending side.
template <class Stream>
std::string read_to_end(Stream& stream) {
  std::string received;
  error_code ec;
  asio::read(stream, asio::dynamic_buffer(received), ec);
  return received;
}

template <class Stream>
std::string read_exactly(Stream& stream, std::size_t bytes) {
  std::string received(bytes, '\0');
  asio::read(stream, asio::buffer(received));
  return received;
}

}  // namespace

TEST_CASE("a tunnel carries bytes both ways, read-ahead first, and passes half closes on",
          "[byte_tunnel]") {
  asio::io_context io;
  // client app <-> [client socket | tunnel | upstream socket] <-> backend
  Pair client = connected_pair(io);
  Pair upstream = connected_pair(io);
  std::optional<TunnelTotals> totals;
  auto tunnel = make_byte_tunnel(client.far, std::move(upstream.near), Milliseconds(5000), [&](TunnelTotals result) { totals = result; });
  tunnel->start("early ", "welcome ");

  asio::write(client.near, asio::buffer(std::string_view("hello backend")));
  client.near.shutdown(tcp::socket::shutdown_send);
  asio::write(upstream.far, asio::buffer(std::string_view("hello client")));
  upstream.far.shutdown(tcp::socket::shutdown_send);
  io.run();

  CHECK(read_to_end(upstream.far) == "early hello backend");
  CHECK(read_to_end(client.near) == "welcome hello client");
  REQUIRE(totals);
  CHECK(totals->from_client == std::string_view("early hello backend").size());
  CHECK(totals->to_client == std::string_view("welcome hello client").size());
}

TEST_CASE("a quiet tunnel closes after the idle timeout", "[byte_tunnel]") {
  asio::io_context io;
  Pair client = connected_pair(io);
  Pair upstream = connected_pair(io);
  bool done = false;
  auto tunnel = make_byte_tunnel(client.far, std::move(upstream.near), Milliseconds(50), [&](TunnelTotals) { done = true; });
  tunnel->start({}, {});
  io.run_for(std::chrono::seconds(5));
  CHECK(done);
  CHECK(read_to_end(client.near).empty());
}

// The backend side here is a wss backend: the tunnel reads and writes through
// TLS, and answers the backend's close_notify with its own once the client
// has finished too.
TEST_CASE("a tunnel to a TLS backend carries bytes both ways and ends with close_notify", "[byte_tunnel]") {
  test::TestPki pki;
  const auto backend_tls = pki.server_context("server");
  asio::ssl::context upstream_tls(asio::ssl::context::tls_client);
  asio::io_context io;
  Pair client = connected_pair(io);
  Pair upstream = connected_pair(io);
  TlsUpstream near(beast::tcp_stream(std::move(upstream.near)), upstream_tls);
  asio::ssl::stream<tcp::socket> backend(std::move(upstream.far), *backend_tls);
  auto backend_handshake = std::async(std::launch::async, [&] {
    error_code ec;
    backend.handshake(asio::ssl::stream_base::server, ec);
    return ec;
  });
  near.handshake(asio::ssl::stream_base::client);
  REQUIRE_FALSE(backend_handshake.get());

  std::optional<TunnelTotals> totals;
  auto tunnel = make_byte_tunnel(client.far, std::move(near), Milliseconds(5000), [&](TunnelTotals result) {
    totals = result;
  });
  tunnel->start("early ", "welcome ");
  std::thread loop([&] { io.run(); });

  asio::write(backend, asio::buffer(std::string_view("hello client")));
  CHECK(read_exactly(client.near, 20) == "welcome hello client");
  asio::write(client.near, asio::buffer(std::string_view("hello backend")));
  CHECK(read_exactly(backend, 19) == "early hello backend");

  // The backend finishes first: the client sees the end, then finishes too.
  auto backend_shutdown = std::async(std::launch::async, [&] {
    error_code ec;
    backend.shutdown(ec);
    return ec;
  });
  CHECK(read_to_end(client.near).empty());
  client.near.shutdown(tcp::socket::shutdown_send);
  const error_code shutdown = backend_shutdown.get();
  CHECK_FALSE(shutdown);  // the tunnel's close_notify arrived
  loop.join();

  REQUIRE(totals);
  CHECK(totals->from_client == std::string_view("early hello backend").size());
  CHECK(totals->to_client == std::string_view("welcome hello client").size());
}

}  // namespace reg::proxy
