#pragma once
// A loopback server that accepts connections and never answers: a hung
// backend, for probes and health checks that must time out.
#include <cstdint>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace reg::test {

class SilentServer {
 public:
  explicit SilentServer(boost::asio::io_context& io)
      : acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return static_cast<int>(held_.size()); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
      if (ec) return;
      held_.push_back(std::move(socket));
      accept();
    });
  }

  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<boost::asio::ip::tcp::socket> held_;
};

}  // namespace reg::test
