#include "cli/control_client.hpp"

#include "cli/exit_codes.hpp"

namespace regctl {
namespace {

constexpr std::string_view timed_out = "timed out waiting for the server";

reg::ClientConnection connect_to(const ConnectionSettings& settings) {
  auto connection = reg::ClientConnection::connect(settings.server, settings.timeout);
  if (!connection) throw Failure(exit_unreachable, connection.error());
  return std::move(*connection);
}

}  // namespace

Reply split_reply(std::string line) {
  Reply reply;
  const auto bar = line.find('|');
  reply.code = line.substr(0, bar);
  if (bar != std::string::npos) reply.payload = line.substr(bar + 1);
  reply.line = std::move(line);
  return reply;
}

void throw_if_error(const Reply& reply, const ConnectionSettings& settings) {
  if (reply.code == "REREGISTER") {
    throw Failure(exit_session_gone, "session cannot be restored (expired, shut down or replaced): register again");
  }
  if (reply.code != "ERROR") return;
  if (reply.payload == "session not found") {
    const std::string origin = settings.session_origin.empty() ? "" : " (from " + settings.session_origin + ")";
    throw Failure(exit_session_gone, "session not found" + origin);
  }
  throw Failure(exit_server_error, reply.payload);
}

ControlClient::ControlClient(const ConnectionSettings& settings)
    : settings_(settings), connection_(connect_to(settings)) {
  if (!settings_.token.empty()) call("AUTH|" + settings_.token);
}

const std::string& ControlClient::session() const {
  if (settings_.session.empty()) {
    throw Failure(exit_usage,
                  "no session: pass --session ID, set REGCTL_SESSION, or run `regctl register SERVICE INSTANCE --save`");
  }
  return settings_.session;
}

std::string ControlClient::exchange(std::string_view line) {
  auto reply = connection_.request(line, settings_.timeout);
  if (!reply) throw Failure(exit_unreachable, reply.error() + " (" + settings_.server.to_string() + ")");
  return std::move(*reply);
}

Reply ControlClient::call(std::string_view line) {
  Reply reply = split_reply(exchange(line));
  throw_if_error(reply, settings_);
  return reply;
}

std::optional<std::string> ControlClient::next_line(reg::Milliseconds wait) {
  if (connection_.has_async_line()) return connection_.take_async_line();
  auto line = connection_.read_line(wait);
  if (line) return std::move(*line);
  if (line.error() == timed_out) return std::nullopt;
  throw Failure(exit_unreachable, line.error() + " (" + settings_.server.to_string() + ")");
}

}  // namespace regctl
