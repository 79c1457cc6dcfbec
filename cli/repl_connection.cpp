#include "cli/repl_connection.hpp"

#include "cli/exit_codes.hpp"

namespace regctl {

ControlClient& ReplConnection::to(const ConnectionSettings& settings) {
  const bool same_server = client_ && client_->settings().server.to_string() == settings.server.to_string() &&
                           client_->settings().token == settings.token;
  if (!same_server) {
    client_.reset();
    client_.emplace(settings);
  }
  return *client_;
}

std::string ReplConnection::exchange(const ConnectionSettings& settings, std::string_view line) {
  try {
    return to(settings).exchange(line);
  } catch (const Failure& failure) {
    if (failure.code() == exit_unreachable) close();
    throw;
  }
}

Reply ReplConnection::call(const ConnectionSettings& settings, std::string_view line) {
  Reply reply = split_reply(exchange(settings, line));
  throw_if_error(reply, settings);
  return reply;
}

std::optional<std::string> ReplConnection::next_async_line() {
  if (!client_) return std::nullopt;
  try {
    return client_->next_line(reg::Milliseconds(0));
  } catch (const Failure&) {
    close();
    throw;
  }
}

}  // namespace regctl
