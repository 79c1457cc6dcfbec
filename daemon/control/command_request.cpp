#include "daemon/control/command_request.hpp"

#include <boost/asio/post.hpp>

#include "daemon/control/control_connection.hpp"

namespace reg::control {

void DeferredReply::send(const Reply& reply) const {
  connection_->complete_deferred_reply(format_reply(reply.code, txid_, reply.payload));
}

DeferredReply CommandRequest::defer() {
  connection.begin_deferred_reply();
  return DeferredReply(connection.shared_from_this(), std::string(command.txid));
}

LaterLine CommandRequest::later_line() {
  return LaterLine(plane.io(), connection.shared_from_this(), std::string(command.txid));
}

LaterLine::LaterLine(boost::asio::io_context& io, std::shared_ptr<ControlConnection> connection, std::string txid)
    : io_(&io), connection_(std::move(connection)), txid_(std::move(txid)) {
  connection_->expect_later_line();
}

void LaterLine::send(std::string_view code, std::string_view payload) const {
  // Posted, so the line goes out after the command's own reply.
  boost::asio::post(*io_, [connection = connection_, line = format_reply(code, txid_, payload)]() mutable {
    connection->deliver_later_line(std::move(line));
  });
}

}  // namespace reg::control
