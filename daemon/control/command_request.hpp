#pragma once
// What a command handler gets (fields already arity- and kind-checked, the
// session already looked up) and what it gives back.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/field_validation.hpp"
#include "common/line_codec.hpp"
#include "daemon/control/control_plane.hpp"

namespace reg::control {

class ControlConnection;
struct Reply;

// A reply that comes later (BACKEND_TEST). The connection answers nothing
// else until it is sent, so replies stay in order. It keeps the connection
// alive meanwhile: a connection that waits has no read in flight to do it.
class DeferredReply {
 public:
  DeferredReply(std::shared_ptr<ControlConnection> connection, std::string txid)
      : connection_(std::move(connection)), txid_(std::move(txid)) {}
  void send(const Reply& reply) const;

 private:
  std::shared_ptr<ControlConnection> connection_;
  std::string txid_;
};

// The one asynchronous line that completes a command (MAINT_OK or its
// ERROR), carrying the command's txid, sent after the command's own reply.
// Until it is sent the connection stays open, even if the client already
// closed its sending side (`printf … | nc`), so the line is not lost.
class LaterLine {
 public:
  LaterLine(boost::asio::io_context& io, std::shared_ptr<ControlConnection> connection, std::string txid);
  void send(std::string_view code, std::string_view payload) const;

 private:
  boost::asio::io_context* io_;
  std::shared_ptr<ControlConnection> connection_;
  std::string txid_;
};

struct CommandRequest {
  ControlPlane& plane;
  ControlConnection& connection;
  const ParsedCommand& command;
  const std::vector<FieldValue>& values;  // parallel to command.fields
  Session* session;  // the named session, when the command names one that exists
  std::chrono::system_clock::time_point now;
  std::chrono::steady_clock::time_point steady_now;

  bool has(std::size_t i) const { return i < values.size() && !std::holds_alternative<std::monostate>(values[i]); }
  const std::string& text(std::size_t i) const { return std::get<std::string>(values[i]); }
  std::int64_t integer(std::size_t i) const { return std::get<std::int64_t>(values[i]); }
  std::uint64_t route(std::size_t i) const { return std::get<std::uint64_t>(values[i]); }
  Milliseconds duration(std::size_t i) const { return std::get<Milliseconds>(values[i]); }
  const std::vector<std::string>& list(std::size_t i) const { return std::get<std::vector<std::string>>(values[i]); }
  const BackendUrl& backend(std::size_t i) const { return std::get<BackendUrl>(values[i]); }
  const nlohmann::json& json(std::size_t i) const { return std::get<nlohmann::json>(values[i]); }

  // The handler answers later through the returned object; it returns Reply::deferred().
  DeferredReply defer();
  LaterLine later_line();
};

struct Reply {
  std::string_view code;  // "ROUTE_OK", "ERROR", ...
  std::string payload;    // after the code (and txid); may be empty

  static Reply error(std::string message) { return {"ERROR", std::move(message)}; }
  static Reply deferred() { return {}; }
  bool is_deferred() const { return code.empty(); }
};

using CommandHandler = Reply (*)(CommandRequest&);

// Command name -> handler; every command of command_table() has one.
const std::unordered_map<std::string_view, CommandHandler>& handler_table();

}  // namespace reg::control
