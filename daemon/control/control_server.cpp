#include "daemon/control/control_server.hpp"

#include "daemon/control/control_plane.hpp"
#include "daemon/net/listen_socket.hpp"

namespace reg::control {

ControlServer::ControlServer(ControlPlane& plane)
    : plane_(plane), dispatcher_(plane), acceptor_(plane.io()) {}

Status ControlServer::start() {
  auto opened = net::open_listener(acceptor_, plane_.settings().listen, false);
  if (!opened) return opened;
  accept();
  return success();
}

void ControlServer::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& error, boost::asio::ip::tcp::socket socket) {
    if (error == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!error) {
      const ConnectionId id = ++last_connection_id_;
      auto connection = std::make_shared<ControlConnection>(
          std::move(socket), plane_, dispatcher_, id, [this](ConnectionId closed) { connections_.erase(closed); });
      connections_.emplace(id, connection);
      connection->start();
    }
    accept();
  });
}

void ControlServer::shutdown() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Copy: closing a connection removes it from the map.
  const auto open = connections_;
  for (const auto& [id, weak] : open) {
    if (auto connection = weak.lock()) {
      connection->send_line("SHUTDOWN");
      connection->close_after_flush();
    }
  }
}

}  // namespace reg::control
