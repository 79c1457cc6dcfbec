#pragma once
// A test's connection to regd's control port. Every I/O failure throws with the
// reason, so a test reads as the conversation it checks:
//   REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
#include <optional>
#include <string>
#include <string_view>

#include "common/client_connection.hpp"

namespace reg::test {

// Generous, for a loaded 2-core machine; replies normally take microseconds.
inline constexpr Milliseconds reply_timeout{10'000};
inline constexpr std::string_view persistent_lease = R"({"lease":"persistent"})";

class Control {
 public:
  explicit Control(const HostPort& server);

  // Sends one command and returns its reply; asynchronous lines that arrive
  // first are kept for next_line().
  std::string send(std::string_view line);
  void send_raw(std::string_view bytes);

  // The next line: a kept asynchronous line, else the next one from the server.
  std::string next_line(Milliseconds timeout = reply_timeout);
  // Like next_line(), but nothing arriving within `timeout` is an answer too.
  std::optional<std::string> next_line_within(Milliseconds timeout);
  // True once the server closes the connection; lines before that are skipped.
  bool closed_by_server(Milliseconds timeout = reply_timeout);
  void close() { connection_.close(); }

  // REGISTER and return the session id; throws unless the reply is ACK.
  std::string register_session(std::string_view service, std::string_view instance,
                               std::string_view metadata = "{}");
  // ROUTE_ADD and return the route id; throws unless the reply is ROUTE_OK.
  std::string add_route(std::string_view session, std::string_view domains, std::string_view path,
                        std::string_view backend_url, int priority = 0);
  // SESSION_INFO's "state" ("attached", "detached"), or the error reply.
  std::string session_state(std::string_view session);

 private:
  ClientConnection connection_;
};

}  // namespace reg::test
