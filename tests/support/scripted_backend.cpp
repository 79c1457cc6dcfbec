#include "support/scripted_backend.hpp"

#include <atomic>
#include <list>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace reg::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class ScriptedBackend::Server {
 public:
  Server(std::string answer, bool close_after_answer)
      : answer_(std::move(answer)),
        close_after_answer_(close_after_answer),
        acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        accepting_([this] { accept_loop(); }) {}

  ~Server() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wakes the blocking accept, then each connection's blocking read.
    tcp::socket waker(io_);
    waker.connect(acceptor_.local_endpoint(), ignored);
    accepting_.join();
    for (auto& connection : connections_) {
      connection.socket.shutdown(tcp::socket::shutdown_both, ignored);
      connection.thread.join();
    }
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct Connection {
    tcp::socket socket;
    std::thread thread;
  };

  void accept_loop() {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      auto& connection = connections_.emplace_back(Connection{std::move(socket), {}});
      connection.thread = std::thread([this, &connection] { serve(connection.socket); });
    }
  }

  void serve(tcp::socket& socket) {
    asio::streambuf request;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t header_bytes = asio::read_until(socket, request, "\r\n\r\n", ec);
      if (ec) return;
      request.consume(header_bytes);
      asio::write(socket, asio::buffer(answer_), ec);
      if (ec) return;
      if (close_after_answer_) {
        socket.shutdown(tcp::socket::shutdown_both, ec);
        return;
      }
    }
  }

  const std::string answer_;
  const bool close_after_answer_;
  std::atomic<bool> stopping_{false};
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::list<Connection> connections_;  // touched by the accepting thread, then the destructor
  std::thread accepting_;
};

ScriptedBackend::ScriptedBackend(std::string answer, bool close_after_answer)
    : server_(std::make_unique<Server>(std::move(answer), close_after_answer)) {}

ScriptedBackend::~ScriptedBackend() = default;

std::string ScriptedBackend::url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

}  // namespace reg::test
