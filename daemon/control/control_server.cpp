#include "daemon/control/control_server.hpp"

#include "daemon/control/control_plane.hpp"
#include "daemon/control/refused_connection.hpp"
#include "daemon/log.hpp"
#include "daemon/net/listen_socket.hpp"

namespace reg::control {
namespace {

constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

}  // namespace

ControlServer::ControlServer(ControlPlane& plane)
    : plane_(plane), dispatcher_(plane), acceptor_(plane.io()), accept_backoff_(plane.io()) {}

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
      serve(std::move(socket));
    } else if (error != boost::asio::error::connection_aborted) {
      log::warn("control port cannot accept", {{"error", error.message()}});
      return retry_accept_later();
    }
    accept();
  });
}

void ControlServer::serve(boost::asio::ip::tcp::socket socket) {
  const std::size_t limit = plane_.settings().max_connections;
  if (connections_.size() >= limit) {
    return refuse_connection(std::move(socket),
                             "ERROR|too many connections (limit " + std::to_string(limit) + ")");
  }
  const ConnectionId id = ++last_connection_id_;
  auto connection = std::make_shared<ControlConnection>(
      std::move(socket), plane_, dispatcher_, id, [this](ConnectionId closed) { connections_.erase(closed); });
  connections_.emplace(id, connection);
  connection->start();
}

void ControlServer::retry_accept_later() {
  accept_backoff_.expires_after(kAcceptBackoff);
  accept_backoff_.async_wait([this](const boost::system::error_code& error) {
    if (error || !acceptor_.is_open()) return;
    accept();
  });
}

void ControlServer::shutdown() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_backoff_.cancel();
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
