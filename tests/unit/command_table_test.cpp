#include <catch2/catch.hpp>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "common/command_table.hpp"
#include "daemon/control/command_request.hpp"
#include "unit_helpers.hpp"

using reg::command_table;
using reg::find_command;
using unit::parse_line;

namespace {

// Every command of PROTOCOL.md §5 and §6 with the arity the protocol gives it
// (the command name counts). Written out by hand so the table cannot drift.
const std::map<std::string_view, std::size_t>& protocol_arities() {
  static const std::map<std::string_view, std::size_t> arities = {
      // §5 Core
      {"REGISTER", 5},
      {"RECONNECT", 2},
      {"PING", 2},
      {"SESSION_INFO", 2},
      {"CLIENT_SHUTDOWN", 2},
      // §5 Routes
      {"ROUTE_ADD", 6},
      {"ROUTE_ADD_BULK", 3},
      {"ROUTE_UPDATE", 5},
      {"ROUTE_REMOVE", 3},
      {"ROUTE_LIST", 2},
      // §5 Headers and options
      {"HEADERS_SET", 5},
      {"HEADERS_REMOVE", 4},
      {"OPTIONS_SET", 5},
      {"OPTIONS_REMOVE", 4},
      // §5 Health, rate limits, circuit breakers
      {"HEALTH_SET", 6},
      {"RATELIMIT_SET", 5},
      {"CIRCUIT_BREAKER_SET", 6},
      {"CIRCUIT_BREAKER_STATUS", 3},
      {"CIRCUIT_BREAKER_RESET", 3},
      // §5 Configuration
      {"CONFIG_VALIDATE", 2},
      {"CONFIG_APPLY", 2},
      {"CONFIG_ROLLBACK", 2},
      {"CONFIG_DIFF", 2},
      {"CONFIG_APPLY_PARTIAL", 3},
      // §5 Operations
      {"DRAIN_START", 3},
      {"DRAIN_STATUS", 2},
      {"DRAIN_CANCEL", 2},
      {"MAINT_ENTER", 4},
      {"MAINT_EXIT", 3},
      {"MAINT_STATUS", 2},
      // §5 Observability
      {"STATS_GET", 3},
      {"BACKEND_TEST", 3},
      {"SUBSCRIBE", 3},
      {"UNSUBSCRIBE", 3},
      // §6 Server information and administration
      {"VERSION", 1},
      {"AUTH", 2},
      {"SESSION_LIST", 1},
      {"ROUTE_TABLE", 1},
  };
  return arities;
}

// The commands whose last field PROTOCOL.md marks optional, with the arity
// they have without it.
const std::map<std::string_view, std::size_t>& protocol_min_arities() {
  static const std::map<std::string_view, std::size_t> arities = {
      {"REGISTER", 4}, {"PING", 1}, {"MAINT_ENTER", 3}, {"STATS_GET", 2}};
  return arities;
}

}  // namespace

TEST_CASE("command table: every protocol command is there with its arity") {
  for (const auto& [name, arity] : protocol_arities()) {
    INFO("command: " << name);
    const reg::CommandSpec* spec = find_command(name);
    REQUIRE(spec != nullptr);
    CHECK(spec->name == name);
    CHECK(spec->arity() == arity);
  }
}

TEST_CASE("command table: no command beyond the protocol's") {
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    CHECK(protocol_arities().count(spec.name) == 1);
  }
  CHECK(command_table().size() == protocol_arities().size());
}

TEST_CASE("command table: command names are unique") {
  std::set<std::string_view> names;
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    CHECK(names.insert(spec.name).second);
  }
}

TEST_CASE("command table: find_command knows only exact names") {
  CHECK(find_command("NO_SUCH_COMMAND") == nullptr);
  CHECK(find_command("ping") == nullptr);
  CHECK(find_command("") == nullptr);
  CHECK(find_command("ROUTE_ADD ") == nullptr);
}

TEST_CASE("command table: optional trailing fields exactly where the protocol has them") {
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    const auto optional = protocol_min_arities().find(spec.name);
    const std::size_t expected = optional == protocol_min_arities().end() ? spec.arity() : optional->second;
    CHECK(spec.min_arity() == expected);
  }
}

TEST_CASE("command table: free text exactly on REGISTER, ROUTE_ADD_BULK and HEADERS_SET") {
  const std::set<std::string_view> free_text = {"REGISTER", "ROUTE_ADD_BULK", "HEADERS_SET"};
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    CHECK(spec.has_free_text() == (free_text.count(spec.name) == 1));
    for (std::size_t i = 0; i + 1 < spec.fields.size(); ++i) CHECK_FALSE(spec.fields[i].free_text);
  }
}

TEST_CASE("command table: compressible exactly ROUTE_LIST, STATS_GET, SESSION_LIST and ROUTE_TABLE") {
  const std::set<std::string_view> compressible = {"ROUTE_LIST", "STATS_GET", "SESSION_LIST", "ROUTE_TABLE"};
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    CHECK(spec.compressible == (compressible.count(spec.name) == 1));
  }
}

TEST_CASE("command table: the session id comes first, except on REGISTER and the server commands") {
  const std::set<std::string_view> sessionless = {"REGISTER", "VERSION", "AUTH", "SESSION_LIST", "ROUTE_TABLE"};
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    const bool names_session = !spec.fields.empty() && spec.fields.front().kind == reg::FieldKind::session_id;
    CHECK(names_session == (sessionless.count(spec.name) == 0));
    CHECK((spec.session == reg::SessionUse::none) == (sessionless.count(spec.name) == 1));
  }
}

TEST_CASE("command table: PING's session is optional and RECONNECT's is restored") {
  CHECK(find_command("PING")->session == reg::SessionUse::optional);
  CHECK(find_command("RECONNECT")->session == reg::SessionUse::restore);
}

TEST_CASE("command table: usage text lists the fields") {
  CHECK(find_command("ROUTE_ADD")->usage() == "usage: ROUTE_ADD|session_id|domains|path|backend_url|priority");
  CHECK(find_command("REGISTER")->usage() ==
        "usage: REGISTER|service_name|instance_name|maintenance_port[|metadata]");
  CHECK(find_command("MAINT_ENTER")->usage() == "usage: MAINT_ENTER|session_id|target[|backend_url]");
  CHECK(find_command("STATS_GET")->usage() == "usage: STATS_GET|session_id[|target]");
  CHECK(find_command("PING")->usage() == "usage: PING[|session_id]");
  CHECK(find_command("VERSION")->usage() == "usage: VERSION");
  CHECK(find_command("HEALTH_SET")->usage() == "usage: HEALTH_SET|session_id|route_id|path|interval|timeout");
  CHECK(find_command("CIRCUIT_BREAKER_SET")->usage() ==
        "usage: CIRCUIT_BREAKER_SET|session_id|target|threshold|timeout|half_open_requests");
}

TEST_CASE("command table: format is usage without the prefix") {
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    CHECK(spec.usage() == "usage: " + spec.format());
    CHECK(spec.format().rfind(spec.name, 0) == 0);
  }
}

TEST_CASE("command table: every example line parses with its own spec") {
  for (const auto& spec : command_table()) {
    INFO("example: " << spec.example);
    auto parsed = parse_line(spec.example);
    CHECK(parsed.status == reg::ParseStatus::ok);
    CHECK(parsed.command.spec == &spec);
  }
}

TEST_CASE("command table: every example gives every required field") {
  for (const auto& spec : command_table()) {
    INFO("example: " << spec.example);
    auto parsed = parse_line(spec.example);
    REQUIRE(parsed.status == reg::ParseStatus::ok);
    CHECK(parsed.command.fields.size() + 1 >= spec.min_arity());
    CHECK(parsed.command.txid.empty());
    CHECK_FALSE(parsed.command.compressed);
  }
}

TEST_CASE("command table: every command has a handler") {
  const auto& handlers = reg::control::handler_table();
  for (const auto& spec : command_table()) {
    INFO("command: " << spec.name);
    const auto found = handlers.find(spec.name);
    REQUIRE(found != handlers.end());
    CHECK(found->second != nullptr);
  }
}

TEST_CASE("command table: no handler for a command missing from the table") {
  for (const auto& [name, handler] : reg::control::handler_table()) {
    INFO("handler: " << name);
    CHECK(find_command(name) != nullptr);
  }
  CHECK(reg::control::handler_table().size() == command_table().size());
}

TEST_CASE("command table: SUBSCRIBE knows the protocol's event types") {
  const std::set<std::string_view> expected = {"backend_health_changed", "circuit_state_changed", "drain_completed",
                                               "global_config_changed",  "cert_renewed",          "session_expired",
                                               "staged_expired",         "all"};
  const auto& types = reg::event_types();
  CHECK(std::set<std::string_view>(types.begin(), types.end()) == expected);
  CHECK(types.size() == expected.size());
}

TEST_CASE("command table: CONFIG_APPLY_PARTIAL knows the protocol's scopes") {
  const std::set<std::string_view> expected = {"routes", "headers", "options", "health", "ratelimit", "circuit"};
  const auto& scopes = reg::apply_scopes();
  CHECK(std::set<std::string_view>(scopes.begin(), scopes.end()) == expected);
  CHECK(scopes.size() == expected.size());
}
