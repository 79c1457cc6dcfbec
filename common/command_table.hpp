#pragma once
// The one command table (DESIGN.md "One command table"): every protocol
// command, its fields and replies, written once. The daemon's parser and
// dispatch, regctl, completion and the docs are all driven from it.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace reg {

// What a field holds; decides how it is validated (field_validation.hpp) and
// what completion offers for it.
enum class FieldKind {
  session_id,
  service_name,
  instance_name,
  port,
  metadata_json,
  domains,
  path,
  backend_url,
  optional_backend_url,  // empty allowed
  priority,
  route_id,
  target,        // ALL or a route id
  maint_target,  // ALL, or a comma list of route ids, paths and domains
  route_field,   // backend_url, priority, domains, path
  route_value,   // checked by the handler against route_field
  header_name,
  header_value,
  option_key,
  option_value,  // checked by the handler against option_key
  duration,
  count,         // a positive integer
  event_type,
  apply_scope,
  token,
  json_array,
};

struct FieldSpec {
  std::string_view name;
  FieldKind kind;
  bool optional = false;   // may be left off at the end of the line
  bool free_text = false;  // the last field: takes the rest of the line, '|' included
};

enum class SessionUse {
  none,      // no session field
  required,  // first field is a session id that must exist
  optional,  // first field may be absent or empty (PING)
  restore,   // RECONNECT: an unknown id is an answer (REREGISTER), not an error
};

enum class CommandGroup { core, routes, headers_options, checks, config, operations, observability, admin };

struct CommandSpec {
  std::string_view name;
  std::vector<FieldSpec> fields;  // after the command name
  std::string_view reply;         // success reply, as documented: "ROUTE_OK|route_id"
  CommandGroup group;
  SessionUse session;
  bool staged;        // the change waits for CONFIG_APPLY
  bool mutating;      // changes state (durable before its reply)
  bool compressible;  // accepts the trailing "compressed" flag
  std::string_view cli_path;  // regctl's words: "route add"
  std::string_view summary;   // one line of help
  std::string_view example;   // a complete protocol line

  std::size_t arity() const { return fields.size() + 1; }
  std::size_t min_arity() const;
  bool has_free_text() const { return !fields.empty() && fields.back().free_text; }
  // "usage: ROUTE_ADD|session_id|domains|path|backend_url|priority"
  std::string usage() const;
  // "ROUTE_ADD|session_id|domains|path|backend_url|priority"
  std::string format() const;
};

const std::vector<CommandSpec>& command_table();
const CommandSpec* find_command(std::string_view name);
std::string_view group_name(CommandGroup group);

// Event types SUBSCRIBE accepts; "all" means every one.
const std::vector<std::string_view>& event_types();
// Scopes CONFIG_APPLY_PARTIAL accepts.
const std::vector<std::string_view>& apply_scopes();

}  // namespace reg
