#pragma once
// The control port: accepts connections and keeps track of them so a
// stopping daemon can tell every client (SHUTDOWN).
#include <memory>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/result.hpp"
#include "daemon/control/control_connection.hpp"
#include "daemon/control/dispatcher.hpp"

namespace reg::control {

class ControlPlane;

class ControlServer {
 public:
  explicit ControlServer(ControlPlane& plane);

  // Binds settings().listen; the error names the address and the reason.
  Status start();
  // Sends SHUTDOWN on every open connection, then closes them and the port.
  void shutdown();

  std::size_t connection_count() const { return connections_.size(); }

 private:
  void accept();
  void serve(boost::asio::ip::tcp::socket socket);
  // Out of file descriptors: try again shortly instead of spinning.
  void retry_accept_later();

  ControlPlane& plane_;
  Dispatcher dispatcher_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_backoff_;
  std::unordered_map<ConnectionId, std::weak_ptr<ControlConnection>> connections_;
  ConnectionId last_connection_id_ = 0;
};

}  // namespace reg::control
