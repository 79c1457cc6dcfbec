#include "common/command_table.hpp"

#include <algorithm>
#include <unordered_map>

namespace reg {
namespace {

using K = FieldKind;

constexpr FieldSpec kSession{"session_id", K::session_id};

std::vector<CommandSpec> build_table() {
  using G = CommandGroup;
  using S = SessionUse;
  // Order here is the order of help, docs and VERSION's command list.
  return {
      // Core
      {"REGISTER",
       {{"service_name", K::service_name},
        {"instance_name", K::instance_name},
        {"maintenance_port", K::port},
        {"metadata", K::metadata_json, true, true}},
       "ACK|session_id", G::core, S::none, false, true, false, "register",
       "create a session (metadata may set \"lease\": \"persistent\")",
       R"(REGISTER|billing|billing-1|9000|{"lease":"persistent"})"},
      {"RECONNECT", {kSession}, "OK", G::core, S::restore, false, true, false, "session reconnect",
       "take over a session on this connection, or learn it must REGISTER again",
       "RECONNECT|SESSION"},
      {"PING", {{"session_id", K::session_id, true}}, "PONG", G::core, S::optional, false, false,
       false, "ping", "check the connection (and that a session is alive)", "PING|SESSION"},
      {"SESSION_INFO", {kSession}, "SESSION_OK|json", G::core, S::required, false, false, false,
       "session info", "show a session", "SESSION_INFO|SESSION"},
      {"CLIENT_SHUTDOWN", {kSession}, "SHUTDOWN_OK", G::core, S::required, false, true, false,
       "session shutdown", "end a session and remove its routes at once",
       "CLIENT_SHUTDOWN|SESSION"},

      // Routes
      {"ROUTE_ADD",
       {kSession,
        {"domains", K::domains},
        {"path", K::path},
        {"backend_url", K::backend_url},
        {"priority", K::priority}},
       "ROUTE_OK|route_id", G::routes, S::required, true, true, false, "route add",
       "stage a new route", "ROUTE_ADD|SESSION|example.com,www.example.com|/api|http://10.0.0.5:8080|0"},
      {"ROUTE_ADD_BULK", {kSession, {"json_array", K::json_array, false, true}},
       "ROUTE_BULK_OK|json", G::routes, S::required, true, true, false, "route add-bulk",
       "stage many routes at once, all or nothing",
       R"(ROUTE_ADD_BULK|SESSION|[{"domains":["a.example.com"],"path":"/","backend_url":"http://10.0.0.5:80","priority":0}])"},
      {"ROUTE_UPDATE",
       {kSession, {"route_id", K::route_id}, {"field", K::route_field}, {"value", K::route_value}},
       "ROUTE_OK", G::routes, S::required, true, true, false, "route update",
       "stage a change of one field (backend_url, priority, domains, path)",
       "ROUTE_UPDATE|SESSION|r1|backend_url|http://10.0.0.6:8080"},
      {"ROUTE_REMOVE", {kSession, {"route_id", K::route_id}}, "ROUTE_OK", G::routes, S::required,
       true, true, false, "route remove", "stage the removal of a route", "ROUTE_REMOVE|SESSION|r1"},
      {"ROUTE_LIST", {kSession}, "ROUTE_LIST_OK|json", G::routes, S::required, false, false, true,
       "route list", "list the session's routes with their status", "ROUTE_LIST|SESSION"},

      // Headers and options
      {"HEADERS_SET",
       {kSession, {"target", K::target}, {"name", K::header_name}, {"value", K::header_value, false, true}},
       "HEADERS_OK", G::headers_options, S::required, true, true, false, "headers set",
       "stage a response header for a route or ALL", "HEADERS_SET|SESSION|ALL|X-Frame-Options|DENY"},
      {"HEADERS_REMOVE", {kSession, {"target", K::target}, {"name", K::header_name}}, "HEADERS_OK",
       G::headers_options, S::required, true, true, false, "headers remove",
       "stage the removal of a response header", "HEADERS_REMOVE|SESSION|ALL|X-Frame-Options"},
      {"OPTIONS_SET",
       {kSession, {"target", K::target}, {"key", K::option_key}, {"value", K::option_value}},
       "OPTIONS_OK", G::headers_options, S::required, true, true, false, "options set",
       "stage a typed route option", "OPTIONS_SET|SESSION|r1|timeout|30s"},
      {"OPTIONS_REMOVE", {kSession, {"target", K::target}, {"key", K::option_key}}, "OPTIONS_OK",
       G::headers_options, S::required, true, true, false, "options remove",
       "stage the removal of an option", "OPTIONS_REMOVE|SESSION|r1|timeout"},

      // Health, rate limits, circuit breakers
      {"HEALTH_SET",
       {kSession,
        {"route_id", K::route_id},
        {"path", K::path},
        {"interval", K::duration},
        {"timeout", K::duration}},
       "HEALTH_OK", G::checks, S::required, true, true, false, "health set",
       "stage an active health check for a route", "HEALTH_SET|SESSION|r1|/healthz|10s|2s"},
      {"RATELIMIT_SET",
       {kSession, {"target", K::target}, {"requests", K::count}, {"window", K::duration}},
       "RATELIMIT_OK", G::checks, S::required, true, true, false, "ratelimit set",
       "stage a per-client rate limit", "RATELIMIT_SET|SESSION|ALL|100|1m"},
      {"CIRCUIT_BREAKER_SET",
       {kSession,
        {"target", K::target},
        {"threshold", K::count},
        {"timeout", K::duration},
        {"half_open_requests", K::count}},
       "CIRCUIT_OK", G::checks, S::required, true, true, false, "circuit set",
       "stage a circuit breaker", "CIRCUIT_BREAKER_SET|SESSION|r1|5|30s|2"},
      {"CIRCUIT_BREAKER_STATUS", {kSession, {"route_id", K::route_id}}, "CIRCUIT_STATUS_OK|json",
       G::checks, S::required, false, false, false, "circuit status",
       "show a route's live circuit state", "CIRCUIT_BREAKER_STATUS|SESSION|r1"},
      {"CIRCUIT_BREAKER_RESET", {kSession, {"route_id", K::route_id}}, "CIRCUIT_OK", G::checks,
       S::required, false, true, false, "circuit reset", "close a route's circuit, counters zero",
       "CIRCUIT_BREAKER_RESET|SESSION|r1"},

      // Configuration
      {"CONFIG_VALIDATE", {kSession}, "OK", G::config, S::required, false, false, false,
       "config validate", "check the staged configuration as it would be applied",
       "CONFIG_VALIDATE|SESSION"},
      {"CONFIG_APPLY", {kSession}, "OK", G::config, S::required, false, true, false, "config apply",
       "make every staged change live at once", "CONFIG_APPLY|SESSION"},
      {"CONFIG_ROLLBACK", {kSession}, "OK", G::config, S::required, false, true, false,
       "config rollback", "discard the staged changes", "CONFIG_ROLLBACK|SESSION"},
      {"CONFIG_DIFF", {kSession}, "DIFF_OK|json", G::config, S::required, false, false, false,
       "config diff", "show staged changes against the active configuration", "CONFIG_DIFF|SESSION"},
      {"CONFIG_APPLY_PARTIAL", {kSession, {"scope", K::apply_scope}}, "OK", G::config, S::required,
       false, true, false, "config apply-partial", "apply only some kinds of staged change",
       "CONFIG_APPLY_PARTIAL|SESSION|routes,headers"},

      // Operations
      {"DRAIN_START", {kSession, {"duration", K::duration}}, "DRAIN_OK|completion_time",
       G::operations, S::required, false, true, false, "drain start",
       "move the session's traffic away over a duration", "DRAIN_START|SESSION|5m"},
      {"DRAIN_STATUS", {kSession}, "DRAIN_STATUS_OK|json", G::operations, S::required, false, false,
       false, "drain status", "show drain progress", "DRAIN_STATUS|SESSION"},
      {"DRAIN_CANCEL", {kSession}, "DRAIN_OK", G::operations, S::required, false, true, false,
       "drain cancel", "stop draining; full traffic again", "DRAIN_CANCEL|SESSION"},
      {"MAINT_ENTER",
       {kSession, {"target", K::maint_target}, {"backend_url", K::optional_backend_url, true}},
       "ACK", G::operations, S::required, false, true, false, "maint enter",
       "serve a maintenance page (or backend) for routes; MAINT_OK follows",
       "MAINT_ENTER|SESSION|ALL|http://10.0.0.9:8080"},
      {"MAINT_EXIT", {kSession, {"target", K::maint_target}}, "ACK", G::operations, S::required,
       false, true, false, "maint exit", "end maintenance; MAINT_OK follows when backends answer",
       "MAINT_EXIT|SESSION|ALL"},
      {"MAINT_STATUS", {kSession}, "MAINT_STATUS_OK|json", G::operations, S::required, false, false,
       false, "maint status", "show which routes are in maintenance", "MAINT_STATUS|SESSION"},

      // Observability
      {"STATS_GET", {kSession, {"target", K::target, true}}, "STATS_OK|json", G::observability,
       S::required, false, false, true, "stats", "live per-route statistics", "STATS_GET|SESSION|ALL"},
      {"BACKEND_TEST", {kSession, {"backend_url", K::backend_url}}, "BACKEND_OK|json",
       G::observability, S::required, false, false, false, "backend test",
       "GET a backend once (5 s timeout); changes nothing",
       "BACKEND_TEST|SESSION|http://10.0.0.5:8080"},
      {"SUBSCRIBE", {kSession, {"event_type", K::event_type}}, "SUBSCRIBE_OK", G::observability,
       S::required, false, false, false, "events", "receive events on this connection",
       "SUBSCRIBE|SESSION|all"},
      {"UNSUBSCRIBE", {kSession, {"event_type", K::event_type}}, "UNSUBSCRIBE_OK",
       G::observability, S::required, false, false, false, "events unsubscribe",
       "stop receiving events of a type", "UNSUBSCRIBE|SESSION|all"},

      // Server information and administration
      {"VERSION", {}, "VERSION_OK|json", G::admin, S::none, false, false, false, "version",
       "protocol and server version, and the commands it knows", "VERSION"},
      {"AUTH", {{"token", K::token}}, "OK", G::admin, S::none, false, false, false, "auth",
       "authenticate this connection", "AUTH|TOKEN"},
      {"SESSION_LIST", {}, "SESSION_LIST_OK|json", G::admin, S::none, false, false, true,
       "session list", "every session (operators only: shows session ids)", "SESSION_LIST"},
      {"ROUTE_TABLE", {}, "ROUTE_TABLE_OK|json", G::admin, S::none, false, false, true,
       "route table", "the live routing table as the proxy uses it", "ROUTE_TABLE"},
  };
}

}  // namespace

std::size_t CommandSpec::min_arity() const {
  std::size_t required = fields.size();
  while (required > 0 && fields[required - 1].optional) --required;
  return required + 1;
}

std::string CommandSpec::format() const {
  std::string text(name);
  for (const auto& field : fields) {
    text += field.optional ? "[|" : "|";
    text += field.name;
    if (field.optional) text += "]";
  }
  return text;
}

std::string CommandSpec::usage() const { return "usage: " + format(); }

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = build_table();
  return table;
}

const CommandSpec* find_command(std::string_view name) {
  static const auto index = [] {
    std::unordered_map<std::string_view, const CommandSpec*> map;
    for (const auto& spec : command_table()) map.emplace(spec.name, &spec);
    return map;
  }();
  auto found = index.find(name);
  return found == index.end() ? nullptr : found->second;
}

std::string_view group_name(CommandGroup group) {
  switch (group) {
    case CommandGroup::core: return "Core";
    case CommandGroup::routes: return "Routes";
    case CommandGroup::headers_options: return "Headers and options";
    case CommandGroup::checks: return "Health, rate limits, circuit breakers";
    case CommandGroup::config: return "Configuration";
    case CommandGroup::operations: return "Operations";
    case CommandGroup::observability: return "Observability";
    case CommandGroup::admin: return "Server information and administration";
  }
  return "";
}

const std::vector<std::string_view>& event_types() {
  static const std::vector<std::string_view> types = {
      "backend_health_changed", "circuit_state_changed", "drain_completed",
      "global_config_changed",  "cert_renewed",          "session_expired",
      "staged_expired",         "all"};
  return types;
}

const std::vector<std::string_view>& apply_scopes() {
  static const std::vector<std::string_view> scopes = {"routes", "headers", "options",
                                                       "health", "ratelimit", "circuit"};
  return scopes;
}

}  // namespace reg
