#include "daemon/control/dispatcher.hpp"

#include <openssl/crypto.h>

#include "common/compression.hpp"
#include "daemon/control/command_request.hpp"
#include "daemon/control/control_connection.hpp"
#include "daemon/log.hpp"

namespace reg::control {
namespace {

constexpr int kMaxFailedAuth = 3;

bool tokens_match(std::string_view given, const std::string& expected) {
  // Compare in constant time over the expected length; a length mismatch
  // still does the full comparison so timing says nothing.
  std::string padded(given.substr(0, expected.size()));
  padded.resize(expected.size(), '\0');
  const bool same = CRYPTO_memcmp(padded.data(), expected.data(), expected.size()) == 0;
  return same && given.size() == expected.size();
}

}  // namespace

Dispatcher::Dispatcher(ControlPlane& plane) : plane_(plane) {}

void Dispatcher::handle_line(ControlConnection& connection, std::string_view line, std::string& out) {
  if (!is_valid_encoding(line)) {
    append_reply(out, "ERROR", {}, "invalid encoding");
    return;
  }
  std::string_view unknown_name;
  const ParseStatus status = parse_command(line, parsed_, unknown_name);
  const std::string_view txid = parsed_.txid;
  const auto fail = [&](std::string_view message) { append_reply(out, "ERROR", txid, message); };

  const std::string& token = plane_.settings().auth_token;
  // AUTH is checked on an authenticated connection too: a client that
  // re-checks a rotated token must hear that a wrong one is wrong, and
  // guesses there count towards the limit like any others.
  const bool is_auth = status == ParseStatus::ok && parsed_.spec->name == "AUTH";
  if (!token.empty() && (is_auth || !connection.authenticated)) {
    if (!is_auth) return fail("authentication required");
    if (tokens_match(parsed_.field(0), token)) {
      connection.authenticated = true;
      append_reply(out, "OK", txid);
    } else {
      fail("authentication failed");
      const bool closing = ++connection.failed_auth_attempts >= kMaxFailedAuth;
      // Never the token given: it may be the real one with a typo.
      log::warn("control client failed to authenticate",
                {{"peer", connection.peer()},
                 {"attempt", std::to_string(connection.failed_auth_attempts)},
                 {"closing", closing ? "true" : "false"}});
      if (closing) connection.close_after_flush();
    }
    return;
  }
  if (status == ParseStatus::unknown_command) return fail("unknown command: " + std::string(unknown_name));
  const CommandSpec& spec = *parsed_.spec;
  if (status == ParseStatus::usage) return fail(spec.usage());

  Session* session = nullptr;
  std::size_t first_value = 0;
  const auto now = std::chrono::system_clock::now();
  if (spec.session != SessionUse::none) {
    first_value = 1;
    const std::string_view id = parsed_.field(0);
    if (!id.empty()) session = plane_.sessions().find(id);
    const bool must_exist = spec.session == SessionUse::required ||
                            (spec.session == SessionUse::optional && !id.empty());
    if (must_exist && session == nullptr) return fail("session not found");
    if (session) session->last_activity = now;
  }

  values_.resize(parsed_.fields.size());
  for (std::size_t i = 0; i < parsed_.fields.size(); ++i) {
    if (i < first_value) {
      values_[i] = std::string(parsed_.fields[i]);
      continue;
    }
    auto value = validate_field(spec, spec.fields[i], parsed_.fields[i]);
    if (!value) return fail(value.error());
    values_[i] = std::move(*value);
  }

  // Copied first: CLIENT_SHUTDOWN ends the session. (add() and erase()
  // record REGISTER's new session and the sessions it replaces or ends.)
  const std::string changed_session = spec.mutating && session ? session->id : std::string();
  CommandRequest request{plane_, connection, parsed_, values_, session, now, std::chrono::steady_clock::now()};
  Reply reply = handler_table().at(spec.name)(request);
  // Freed with the command that parsed them: a ROUTE_ADD_BULK's JSON of
  // thousands of routes would otherwise be freed in whatever command comes
  // next, and a CONFIG_APPLY would pay for it.
  values_.clear();
  if (!changed_session.empty() && reply.code != "ERROR") plane_.session_changed(changed_session);
  if (reply.is_deferred()) return;
  if (parsed_.compressed && reply.code != "ERROR") reply.payload = gzip_base64_encode(reply.payload);
  append_reply(out, reply.code, txid, reply.payload);
}

}  // namespace reg::control
