#include "daemon/proxy/byte_tunnel.hpp"

#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
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

// Everything `socket` receives until the peer closes its sending side.
std::string read_to_end(tcp::socket& socket) {
  std::string received;
  error_code ec;
  asio::read(socket, asio::dynamic_buffer(received), ec);
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
  auto tunnel = std::make_shared<ByteTunnel>(client.far, std::move(upstream.near), Milliseconds(5000),
                                             [&](TunnelTotals result) { totals = result; });
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
  auto tunnel = std::make_shared<ByteTunnel>(client.far, std::move(upstream.near), Milliseconds(50),
                                             [&](TunnelTotals) { done = true; });
  tunnel->start({}, {});
  io.run_for(std::chrono::seconds(5));
  CHECK(done);
  CHECK(read_to_end(client.near).empty());
}

}  // namespace reg::proxy
