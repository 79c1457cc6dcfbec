#include "support/control.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "support/reply_json.hpp"

namespace reg::test {
namespace {

ClientConnection connect_or_throw(const HostPort& server) {
  auto connection = ClientConnection::connect(server, reply_timeout);
  if (!connection) throw std::runtime_error(connection.error());
  return std::move(*connection);
}

std::string field_after(std::string_view reply, std::string_view code, std::string_view command) {
  const std::string prefix = std::string(code) + "|";
  if (!reply.starts_with(prefix)) {
    throw std::runtime_error(std::string(command) + " answered \"" + std::string(reply) + "\"");
  }
  return std::string(reply.substr(prefix.size()));
}

}  // namespace

Control::Control(const HostPort& server) : connection_(connect_or_throw(server)) {}

std::string Control::send(std::string_view line) {
  auto reply = connection_.request(line, reply_timeout);
  if (!reply) throw std::runtime_error("no reply to \"" + std::string(line) + "\": " + reply.error());
  return std::move(*reply);
}

void Control::send_raw(std::string_view bytes) {
  if (auto sent = connection_.send_raw(bytes); !sent) throw std::runtime_error(sent.error());
}

std::string Control::next_line(Milliseconds timeout) {
  auto line = next_line_within(timeout);
  if (!line) {
    throw std::runtime_error("no line from the server within " + std::to_string(timeout.count()) + " ms");
  }
  return std::move(*line);
}

std::optional<std::string> Control::next_line_within(Milliseconds timeout) {
  if (connection_.has_async_line()) return connection_.take_async_line();
  auto line = connection_.read_line(timeout);
  if (line) return std::move(*line);
  if (line.error() == "timed out waiting for the server") return std::nullopt;
  throw std::runtime_error(line.error());
}

bool Control::closed_by_server(Milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<Milliseconds>(deadline - std::chrono::steady_clock::now());
    auto line = connection_.read_line(std::max(left, Milliseconds{0}));
    if (line) continue;
    return line.error() == "connection closed by the server";
  }
}

std::string Control::register_session(std::string_view service, std::string_view instance,
                                      std::string_view metadata) {
  const std::string line =
      "REGISTER|" + std::string(service) + "|" + std::string(instance) + "|9000|" + std::string(metadata);
  return field_after(send(line), "ACK", line);
}

std::string Control::add_route(std::string_view session, std::string_view domains, std::string_view path,
                               std::string_view backend_url, int priority) {
  const std::string line = "ROUTE_ADD|" + std::string(session) + "|" + std::string(domains) + "|" +
                           std::string(path) + "|" + std::string(backend_url) + "|" +
                           std::to_string(priority);
  return field_after(send(line), "ROUTE_OK", line);
}

std::string Control::session_state(std::string_view session) {
  const std::string reply = send("SESSION_INFO|" + std::string(session));
  if (!reply.starts_with("SESSION_OK|")) return reply;
  return reply_json(reply, "SESSION_OK").at("state").get<std::string>();
}

}  // namespace reg::test
