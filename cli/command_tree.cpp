#include "cli/command_tree.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/option_table.hpp"

namespace regctl {
namespace {

using reg::FieldKind;

// Protocol fields regctl takes as named flags or with a default instead of as
// required positionals: people type route attributes in any order, and
// maintenance usually means the whole session. Everything else about a
// protocol command comes from command_table().
struct FieldPresentation {
  std::string_view command;
  std::string_view field;
  std::string_view flag;  // empty: stays a positional
  const char* default_value = nullptr;
  bool repeated = false;
};

constexpr FieldPresentation presentations[] = {
    {"REGISTER", "maintenance_port", "--maintenance-port", "0"},
    {"ROUTE_ADD", "domains", "--domains"},
    {"ROUTE_ADD", "path", "--path", "/"},
    {"ROUTE_ADD", "backend_url", "--backend"},
    {"ROUTE_ADD", "priority", "--priority", "0"},
    {"MAINT_ENTER", "target", "", "ALL"},
    {"MAINT_ENTER", "backend_url", "--page"},
    {"MAINT_EXIT", "target", "", "ALL"},
    {"SUBSCRIBE", "event_type", "", "all", true},
};

const FieldPresentation* find_presentation(std::string_view command, std::string_view field) {
  for (const auto& entry : presentations)
    if (entry.command == command && entry.field == field) return &entry;
  return nullptr;
}

// Client-side behaviour on top of a protocol command (waiting, watching,
// saving, exit statuses); protocol_command.cpp acts on these names.
struct ClientFlag {
  std::string_view path;
  Flag flag;
};

Argument duration_value(std::string name, std::string default_value) {
  Argument value{std::move(name), FieldKind::duration};
  value.required = false;
  value.default_value = std::move(default_value);
  return value;
}

std::vector<ClientFlag> client_flags() {
  Argument scope{"scope", FieldKind::apply_scope};
  scope.required = false;
  return {
      {"register", {"--save", "", std::nullopt, "store the new session id in the current context"}},
      {"config apply", {"--only", "", scope, "apply only these kinds, e.g. routes,headers (the rest stays staged)"}},
      {"config diff", {"--exit-code", "", std::nullopt, "exit 1 when there are staged changes, 0 when there are none"}},
      {"drain start", {"--wait", "", std::nullopt, "show progress and return when the drain completes"}},
      {"drain status", {"--watch", "-w", std::nullopt, "refresh until Ctrl-C (-o json: one document per line)"}},
      {"drain status", {"--interval", "", duration_value("interval", "1s"), "refresh interval of --watch"}},
      {"maint enter", {"--wait", "", std::nullopt, "return when regd confirms the maintenance page answers (MAINT_OK)"}},
      {"maint enter", {"--wait-timeout", "", duration_value("wait_timeout", "2m"), "give up waiting after this long"}},
      {"maint exit", {"--wait", "", std::nullopt, "return when regd confirms the backends answer again (MAINT_OK)"}},
      {"maint exit", {"--wait-timeout", "", duration_value("wait_timeout", "2m"), "give up waiting after this long"}},
      {"stats", {"--watch", "-w", std::nullopt, "refresh until Ctrl-C (-o json: one document per line)"}},
      {"stats", {"--interval", "", duration_value("interval", "1s"), "refresh interval of --watch"}},
  };
}

std::vector<std::string> split_words(std::string_view path) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < path.size()) {
    auto end = path.find(' ', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) words.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

std::string joined(const std::vector<std::string>& words, std::string_view separator) {
  std::string text;
  for (const auto& word : words) {
    if (!text.empty()) text += separator;
    text += word;
  }
  return text;
}

// A shell word that survives copy and paste: quoted when it has specials.
std::string shell_quote(std::string_view word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("-_./:,=@%+*").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (plain) return std::string(word);
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Metadata is composed from --lease and --meta, so a CLI user never writes JSON.
void add_metadata_flags(Command& command) {
  Argument lease{"lease", ClientValue::lease};
  lease.required = false;
  lease.default_value = "persistent";
  command.flags.push_back({"--lease", "", lease,
                           "persistent (lives until `session shutdown`; the default, since regctl does not "
                           "hold its connection) or connection"});
  Argument meta{"key=value", ClientValue::meta_pair};
  meta.required = false;
  meta.repeated = true;
  command.flags.push_back({"--meta", "", meta, "metadata entry; repeat for more"});
}

// The protocol example's field values, after the command name.
std::vector<std::string> example_fields(const reg::CommandSpec& spec) {
  std::vector<std::string> values;
  std::string_view rest = spec.example;
  const auto first_bar = rest.find('|');
  if (first_bar == std::string_view::npos) return values;
  rest.remove_prefix(first_bar + 1);
  for (const auto& field : spec.fields) {
    const auto bar = field.free_text ? std::string_view::npos : rest.find('|');
    values.emplace_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return values;
}

// The table's example is a protocol line; turn it into the regctl line that sends it.
std::string example_from_protocol(const Command& command) {
  const auto& spec = *command.protocol;
  const auto values = example_fields(spec);
  std::string line = "regctl " + command.path();
  for (std::size_t index = 0; index < values.size(); ++index) {
    const auto& field = spec.fields[index];
    const std::string& value = values[index];
    if (field.kind == FieldKind::session_id) continue;
    if (field.kind == FieldKind::metadata_json) {
      const auto metadata = nlohmann::json::parse(value, nullptr, false);
      if (!metadata.is_object()) continue;
      for (const auto& [key, item] : metadata.items()) {
        const std::string text = item.is_string() ? item.get<std::string>() : item.dump();
        line += key == "lease" ? " --lease " + shell_quote(text) : " --meta " + shell_quote(key + "=" + text);
      }
      continue;
    }
    if (field.kind == FieldKind::json_array) {
      line += " routes.json";
      continue;
    }
    const auto flag = std::find_if(command.flags.begin(), command.flags.end(), [&](const Flag& candidate) {
      return candidate.value && candidate.value->field_index == index;
    });
    if (flag != command.flags.end()) {
      line += " " + flag->name + " " + shell_quote(value);
    } else if (!value.empty()) {
      line += " " + shell_quote(value);
    }
  }
  return line;
}

Command protocol_command(const reg::CommandSpec& spec) {
  Command command;
  command.words = split_words(spec.cli_path);
  command.summary = std::string(spec.summary);
  command.protocol = &spec;
  if (spec.name == "SUBSCRIBE") command.action = Action::events;

  for (std::size_t index = 0; index < spec.fields.size(); ++index) {
    const auto& field = spec.fields[index];
    if (field.kind == FieldKind::session_id) continue;  // from --session or the context
    if (field.kind == FieldKind::metadata_json) {
      add_metadata_flags(command);
      continue;
    }
    Argument argument{std::string(field.name), field.kind};
    argument.field_index = index;
    argument.required = !field.optional;
    argument.help = describe_kind(field.kind);
    if (field.kind == FieldKind::json_array) argument.name = "file";
    const auto* shown = find_presentation(spec.name, field.name);
    if (shown && shown->default_value) {
      argument.required = false;
      argument.default_value = shown->default_value;
    }
    if (shown && shown->repeated) argument.repeated = true;
    if (shown && !shown->flag.empty()) {
      command.flags.push_back({std::string(shown->flag), "", argument, argument.help});
    } else {
      command.positionals.push_back(std::move(argument));
    }
  }
  for (const auto& extra : client_flags())
    if (extra.path == spec.cli_path) command.flags.push_back(extra.flag);
  // `config apply --only` is the way to type CONFIG_APPLY_PARTIAL.
  command.hidden = spec.name == "CONFIG_APPLY_PARTIAL";
  command.examples.push_back(example_from_protocol(command));
  return command;
}

Argument optional_value(std::string name, ClientValue kind) {
  Argument argument{std::move(name), kind};
  argument.required = false;
  return argument;
}

std::vector<Command> client_commands() {
  std::vector<Command> commands;
  Command raw{{"raw"}, "send protocol lines as they are and print the replies", Action::raw};
  Argument lines =
      Argument("line", ClientValue::protocol_line, "a protocol line, e.g. 'PING', not empty; several are sent in order");
  lines.repeated = true;
  raw.positionals.push_back(lines);
  raw.examples = {"regctl raw 'VERSION'", "regctl raw \"ROUTE_LIST|$S\""};
  commands.push_back(raw);

  Command list{{"context", "list"}, "list the contexts of the config file; * marks the current one",
               Action::context_list};
  list.examples = {"regctl context list"};
  commands.push_back(list);

  Command use{{"context", "use"}, "make a context the current one", Action::context_use};
  use.positionals.push_back(Argument("name", ClientValue::context_name, "context name"));
  use.examples = {"regctl context use staging"};
  commands.push_back(use);

  Command set{{"context", "set"}, "create or update a context (only the given settings change)",
              Action::context_set};
  set.positionals.push_back(Argument("name", ClientValue::context_name, "context name: printable text, e.g. staging"));
  set.flags = {
      {"--server", "", optional_value("host:port", ClientValue::server_address), "control address of regd"},
      {"--token-file", "", optional_value("file", ClientValue::file), "file holding the AUTH token"},
      {"--token", "", optional_value("token", ClientValue::text), "the AUTH token itself (stored with mode 0600)"},
      {"--session", "", optional_value("session_id", ClientValue::text), "session id used by default"},
      {"--use", "", std::nullopt, "also make it the current context"},
  };
  set.examples = {"regctl context set staging --server 10.0.0.1:81 --token-file ~/.regd-token --use"};
  commands.push_back(set);

  Command remove{{"context", "delete"}, "remove a context", Action::context_delete};
  remove.positionals.push_back(Argument("name", ClientValue::context_name, "context name"));
  remove.examples = {"regctl context delete staging"};
  commands.push_back(remove);

  Command current{{"context", "current"}, "print the current context's name", Action::context_current};
  current.examples = {"regctl context current"};
  commands.push_back(current);

  Command completion{{"completion"}, "print the completion script for bash, zsh or fish", Action::completion};
  completion.positionals.push_back(Argument("shell", ClientValue::shell, "bash, zsh or fish"));
  completion.examples = {"regctl completion bash > ~/.local/share/bash-completion/completions/regctl"};
  commands.push_back(completion);

  Command shell{{"shell"}, "interactive shell: line editing, history, Tab completion, events above the prompt",
                Action::shell};
  shell.examples = {"regctl shell", "regctl --server 10.0.0.1:81 shell"};
  commands.push_back(shell);

  Command complete{{"__complete"}, "print candidate next words for a shell completion script", Action::complete};
  complete.hidden = true;
  Argument words = Argument("words", ClientValue::text, "the words typed so far; the last is the one being completed");
  words.required = false;
  words.repeated = true;
  complete.positionals.push_back(words);
  commands.push_back(complete);
  return commands;
}

std::vector<Flag> make_global_flags() {
  Argument output{"format", ClientValue::output_format};
  Argument colour{"when", ClientValue::colour_mode};
  return {
      {"--server", "", Argument{"host:port", ClientValue::server_address},
       "regd control address (env REGCTL_SERVER; default 127.0.0.1:81)"},
      {"--session", "", Argument{"session_id", FieldKind::session_id},
       "session to act on (env REGCTL_SESSION, else the context's)"},
      {"--token-file", "", Argument{"file", ClientValue::file},
       "send AUTH with the token in this file first (env REGCTL_TOKEN holds a token itself)"},
      {"--timeout", "", Argument{"duration", FieldKind::duration}, "limit for connecting and for each reply (default 10s)"},
      {"--context", "", Argument{"name", ClientValue::context_name}, "use this context instead of the current one"},
      {"--output", "-o", output, "table, wide, json or plain (default: table on a terminal, else plain for single values)"},
      {"--color", "", colour, "auto, always or never (NO_COLOR is honoured)"},
  };
}

}  // namespace

std::string Argument::display_name() const {
  std::string name = this->name;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  return name;
}

std::string Command::path() const { return joined(words, " "); }

const Flag* Command::find_flag(std::string_view name) const {
  for (const auto& flag : flags)
    if (flag.name == name || (!flag.short_name.empty() && flag.short_name == name)) return &flag;
  return nullptr;
}

CommandTree::CommandTree() : global_flags_(make_global_flags()) {
  for (const auto& spec : reg::command_table()) commands_.push_back(protocol_command(spec));
  for (auto& command : client_commands()) commands_.push_back(std::move(command));
}

const Command* CommandTree::find(const std::vector<std::string>& words) const {
  for (const auto& command : commands_)
    if (command.words == words) return &command;
  return nullptr;
}

const Flag* CommandTree::find_global_flag(std::string_view name) const {
  for (const auto& flag : global_flags_)
    if (flag.name == name || (!flag.short_name.empty() && flag.short_name == name)) return &flag;
  return nullptr;
}

std::vector<std::string> CommandTree::next_words(const std::vector<std::string>& prefix, bool include_hidden) const {
  std::vector<std::string> words;
  for (const auto& command : commands_) {
    if (command.hidden && !include_hidden) continue;
    if (command.words.size() <= prefix.size()) continue;
    if (!std::equal(prefix.begin(), prefix.end(), command.words.begin())) continue;
    const auto& word = command.words[prefix.size()];
    if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
  }
  return words;
}

std::string CommandTree::group_of(std::string_view top_word) const {
  for (const auto& command : commands_) {
    if (command.words.front() != top_word) continue;
    if (!command.protocol) return "Client";
    if (command.protocol->group == reg::CommandGroup::admin) return "Server";
    return std::string(reg::group_name(command.protocol->group));
  }
  return "Client";
}

std::string CommandTree::summary_of(const std::vector<std::string>& words) const {
  if (const auto* command = find(words)) return command->summary;
  return joined(next_words(words), ", ");
}

const CommandTree& command_tree() {
  static const CommandTree tree;
  return tree;
}

std::string describe_kind(FieldKind kind) {
  switch (kind) {
    case FieldKind::session_id: return "session id";
    case FieldKind::service_name: return "service name (1-128 printable characters)";
    case FieldKind::instance_name: return "instance name (1-128 printable characters)";
    case FieldKind::port: return "port, 0-65535";
    case FieldKind::metadata_json: return "JSON object";
    case FieldKind::domains: return "comma-separated host names; *.example.com matches one extra label";
    case FieldKind::path: return "URL path prefix starting with /";
    case FieldKind::backend_url: return "http://host:port[/base] (also https, ws, wss)";
    case FieldKind::optional_backend_url: return "maintenance backend http://host:port[/base]; default: built-in page";
    case FieldKind::priority: return "integer, higher matches first (default 0)";
    case FieldKind::route_id: return "route id: r1, r2, ...";
    case FieldKind::target: return "a route id, or ALL for the whole session";
    case FieldKind::maint_target: return "ALL, or a comma list of route ids, paths and domains";
    case FieldKind::route_field: return "backend_url, priority, domains or path";
    case FieldKind::route_value: return "new value of the field";
    case FieldKind::header_name: return "HTTP header name";
    case FieldKind::header_value: return "header value";
    case FieldKind::option_key: {
      std::string keys;
      for (const auto& option : reg::option_table()) keys += (keys.empty() ? "" : ", ") + std::string(option.key);
      return "one of " + keys;
    }
    case FieldKind::option_value: return "value of the option's type (duration, bool, integer, size, status range)";
    case FieldKind::duration: return "duration: 500ms, 30s, 1m30s, 2h (a bare number is seconds)";
    case FieldKind::count: return "positive integer";
    case FieldKind::event_type: return "event type: " + joined(value_choices(kind), ", ");
    case FieldKind::apply_scope: return "comma list of routes, headers, options, health, ratelimit, circuit";
    case FieldKind::token: return "authentication token";
    case FieldKind::json_array: return "file with a JSON array of {domains, path, backend_url, priority}, or - for stdin";
  }
  return "";
}

std::vector<std::string> value_choices(const ValueKind& kind) {
  if (const auto* field = std::get_if<FieldKind>(&kind)) {
    switch (*field) {
      case FieldKind::event_type: return {reg::event_types().begin(), reg::event_types().end()};
      case FieldKind::apply_scope: return {reg::apply_scopes().begin(), reg::apply_scopes().end()};
      case FieldKind::route_field: return {"backend_url", "priority", "domains", "path"};
      case FieldKind::option_key: {
        std::vector<std::string> keys;
        for (const auto& option : reg::option_table()) keys.emplace_back(option.key);
        return keys;
      }
      default: return {};
    }
  }
  switch (std::get<ClientValue>(kind)) {
    case ClientValue::output_format: return {"table", "wide", "json", "plain"};
    case ClientValue::colour_mode: return {"auto", "always", "never"};
    case ClientValue::lease: return {"persistent", "connection"};
    case ClientValue::shell: return {"bash", "zsh", "fish"};
    default: return {};
  }
}

}  // namespace regctl
