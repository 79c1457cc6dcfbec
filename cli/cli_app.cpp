#include "cli/cli_app.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/contexts.hpp"
#include "cli/exit_codes.hpp"
#include "common/field_validation.hpp"
#include "common/version.hpp"

namespace regctl {
namespace {

using reg::FieldKind;

constexpr std::string_view root_footer = R"(Connection: flag > environment (REGCTL_SERVER, REGCTL_SESSION, REGCTL_TOKEN) >
the current context (`regctl context`) > default.

Exit status: 0 success, 1 changes found (config diff --exit-code), 2 usage error,
3 cannot connect or timed out, 4 session not found or expired, 5 regd answered ERROR.

Run `regctl COMMAND --help` for a command's arguments and an example.)";

// The text of what is wrong with `text`, empty when it is fine. Protocol
// values are checked by common/'s field validation, so regctl refuses exactly
// what regd would, before anything is sent.
std::string check_value(const Argument& argument, const reg::CommandSpec* spec, const std::string& text) {
  const auto choices = value_choices(argument.kind);
  const bool single_choice = std::holds_alternative<ClientValue>(argument.kind) ||
                             std::get<FieldKind>(argument.kind) == FieldKind::event_type;
  if (single_choice && !choices.empty()) {
    if (std::find(choices.begin(), choices.end(), text) != choices.end()) return "";
    std::string list;
    for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
    return "invalid value " + text + " (expected one of: " + list + ")";
  }
  if (const auto* kind = std::get_if<FieldKind>(&argument.kind)) {
    if (*kind == FieldKind::session_id || *kind == FieldKind::json_array) return "";  // a file name, read later
    if (spec == nullptr) {
      if (*kind != FieldKind::duration) return "";
      auto duration = reg::parse_positive_duration(text);
      return duration ? "" : duration.error();
    }
    const reg::FieldSpec field = argument.field_index ? spec->fields[*argument.field_index]
                                                      : reg::FieldSpec{argument.name, *kind};
    auto checked = reg::validate_field(*spec, field, text);
    return checked ? "" : checked.error();
  }
  switch (std::get<ClientValue>(argument.kind)) {
    case ClientValue::meta_pair:
      return text.find('=') == std::string::npos || text.front() == '=' ? "expected key=value, got " + text : "";
    case ClientValue::context_name: return context_name_problem(text);
    case ClientValue::protocol_line:
      // regd ignores an empty line (a CR before the LF is dropped first), so it would never answer.
      if (text.empty() || text == "\r") return "a protocol line may not be empty: regd ignores empty lines";
      return text.find('\n') == std::string::npos ? "" : "a protocol line may not contain a line break";
    case ClientValue::server_address: {
      auto address = reg::parse_host_port(text);
      return address ? "" : address.error();
    }
    default: return "";
  }
}

class AppBuilder {
 public:
  explicit AppBuilder(CLI::App& root) : root_(root) {}

  void add_global_flags() {
    for (const auto& flag : command_tree().global_flags()) {
      auto* option = add_value_option(root_, flag, nullptr);
      option->configurable(false);
      global_options_.emplace_back(flag.name, option);
    }
  }

  // Only the commands under `top_word` get their arguments: the others need
  // no more than a line in the top-level help, and building all of them
  // would be most of regctl's start-up time.
  void add_commands(const std::string& top_word) {
    const auto& tree = command_tree();
    for (const auto& command : tree.commands()) {
      CLI::App* app = &root_;
      std::vector<std::string> prefix;
      const bool selected = command.words.front() == top_word;
      for (const auto& word : command.words) {
        if (!selected && !prefix.empty()) break;
        prefix.push_back(word);
        auto* sub = find_subcommand(*app, word);
        if (!sub) {
          sub = app->add_subcommand(word, tree.summary_of(prefix));
          sub->group(prefix.size() == 1 ? tree.group_of(word) : "Commands");
          if (command.hidden && prefix == command.words) sub->group("");  // even when not selected
          sub->footer("");
          if (!tree.find(prefix)) sub->require_subcommand(1);
        }
        app = sub;
      }
      if (selected) configure_command(*app, command);
    }
  }

  // After a successful parse: the deepest selected command and its values.
  void collect(CommandLine& line) const {
    for (const auto& [name, option] : global_options_) {
      if (option->count() == 0) continue;
      const std::string value = option->results().back();
      if (name == "--server") line.connection.server = value;
      else if (name == "--session") line.connection.session = value;
      else if (name == "--token-file") line.connection.token_file = value;
      else if (name == "--timeout") line.connection.timeout = value;
      else if (name == "--context") line.connection.context = value;
      else if (name == "--output") line.output = value;
      else if (name == "--color") line.colour = value;
    }
    const CLI::App* app = &root_;
    for (;;) {
      const auto chosen = app->get_subcommands();
      if (chosen.empty()) break;
      app = chosen.front();
    }
    for (const auto& binding : bindings_) {
      if (binding.app != app) continue;
      line.command = binding.command;
      for (const auto& [name, option] : binding.options) {
        if (option->count() == 0) continue;
        line.values[name] = option->get_expected_max() == 0 ? std::vector<std::string>{} : option->results();
      }
    }
  }

 private:
  struct Binding {
    const CLI::App* app;
    const Command* command;
    std::vector<std::pair<std::string, CLI::Option*>> options;
  };

  static CLI::App* find_subcommand(CLI::App& app, const std::string& name) {
    for (auto* sub : app.get_subcommands({}))
      if (sub->get_name() == name) return sub;
    return nullptr;
  }

  static CLI::Option* add_value_option(CLI::App& app, const Flag& flag, const reg::CommandSpec* spec) {
    const std::string names = flag.short_name.empty() ? flag.name : flag.short_name + "," + flag.name;
    if (!flag.value) return app.add_flag(names, flag.help);
    const Argument argument = *flag.value;
    auto* option = app.add_option(names, flag.help);
    option->type_name(argument.display_name());
    option->expected(1);
    option->allow_extra_args(false);
    option->multi_option_policy(argument.repeated ? CLI::MultiOptionPolicy::TakeAll : CLI::MultiOptionPolicy::TakeLast);
    if (argument.default_value && !argument.default_value->empty()) option->default_str(*argument.default_value);
    add_check(option, argument, spec);
    return option;
  }

  static void add_check(CLI::Option* option, const Argument& argument, const reg::CommandSpec* spec) {
    option->check(CLI::Validator(
        [argument, spec](std::string& text) { return check_value(argument, spec, text); }, "", ""));
  }

  void configure_command(CLI::App& app, const Command& command) {
    app.description(command.summary);
    if (command.hidden) app.group("");
    std::string footer;
    if (command.protocol) footer += "Sends: " + command.protocol->format() + "\n";
    for (const auto& example : command.examples) footer += "Example: " + example + "\n";
    app.footer(footer);

    Binding binding{&app, &command, {}};
    for (const auto& positional : command.positionals) {
      auto* option = app.add_option(positional.display_name(), positional.help);
      option->type_name("");
      if (positional.repeated) {
        option->expected(positional.required ? 1 : 0, CLI::detail::expected_max_vector_size);
        option->allow_extra_args();  // CLI11 gives a positional only its minimum without this
      } else {
        option->expected(1);
      }
      if (positional.required) option->required();
      if (positional.default_value) option->default_str(*positional.default_value);
      add_check(option, positional, command.protocol);
      binding.options.emplace_back(positional.name, option);
    }
    for (const auto& flag : command.flags) {
      auto* option = add_value_option(app, flag, command.protocol);
      if (flag.value && flag.value->required && !flag.value->default_value) option->required();
      binding.options.emplace_back(flag.name, option);
    }
    bindings_.push_back(std::move(binding));
  }

  CLI::App& root_;
  std::vector<std::pair<std::string, CLI::Option*>> global_options_;
  std::vector<Binding> bindings_;
};

struct CommandWords {
  std::vector<std::string> words;  // the command words found, {"route", "add"}
  std::optional<std::string> problem;
};

// CLI11 says "The following arguments were not expected" for a mistyped
// command; this says what the user did wrong and which commands exist.
CommandWords scan_command_words(int argc, char** argv) {
  const auto& tree = command_tree();
  std::vector<std::string> prefix;
  for (int index = 1; index < argc; ++index) {
    const std::string_view word = argv[index];
    if (word == "--" || word == "-h" || word == "--help") return {prefix, std::nullopt};
    if (word.starts_with("-")) {
      const auto* flag = tree.find_global_flag(word);
      if (flag && flag->value && word.find('=') == std::string_view::npos) ++index;
      continue;
    }
    const auto children = tree.next_words(prefix, true);
    if (std::find(children.begin(), children.end(), word) != children.end()) {
      prefix.emplace_back(word);
      continue;
    }
    if (tree.find(prefix)) return {prefix, std::nullopt};  // a command's own argument
    std::string known;
    for (const auto& child : tree.next_words(prefix)) known += (known.empty() ? "" : ", ") + child;
    std::string path;
    for (const auto& part : prefix) path += part + " ";
    return {prefix, "unknown command \"" + path + std::string(word) + "\" (known: " + known + ")"};
  }
  if (prefix.empty() || tree.find(prefix)) return {prefix, std::nullopt};
  std::string path, known;
  for (const auto& part : prefix) path += (path.empty() ? "" : " ") + part;
  for (const auto& child : tree.next_words(prefix)) known += (known.empty() ? "" : ", ") + child;
  return {prefix, "\"" + path + "\" needs a command: " + known};
}

}  // namespace

std::optional<std::string> CommandLine::value(const Argument& argument, std::string_view name) const {
  const auto found = values.find(name);
  if (found != values.end() && !found->second.empty()) return found->second.back();
  return argument.default_value;
}

std::vector<std::string> CommandLine::all(std::string_view name) const {
  const auto found = values.find(name);
  return found == values.end() ? std::vector<std::string>{} : found->second;
}

ParseResult parse_command_line(int argc, char** argv) {
  const auto scanned = scan_command_words(argc, argv);
  if (scanned.problem) {
    std::cerr << "regctl: error: " << *scanned.problem << "\n";
    return {std::nullopt, exit_usage};
  }
  CLI::App root("regctl: command-line client of regd, the reverse proxy with a control plane", "regctl");
  root.fallthrough();
  root.require_subcommand(1);
  root.set_version_flag("--version", "regctl " + reg::version(), "print regctl's version and exit");
  AppBuilder builder(root);
  CommandLine line;
  builder.add_global_flags();
  builder.add_commands(scanned.words.empty() ? std::string() : scanned.words.front());
  root.footer(std::string(root_footer));
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return {std::nullopt, root.exit(error)};  // --help, --version
    std::string message = error.what();
    if (dynamic_cast<const CLI::RequiredError*>(&error) && message.find("subcommand") != std::string::npos) {
      message = "a command is required";
    }
    std::cerr << "regctl: error: " << message << "\nRun `regctl --help` (or `regctl COMMAND --help`) for usage.\n";
    return {std::nullopt, exit_usage};
  }
  builder.collect(line);
  return {std::move(line), exit_success};
}

}  // namespace regctl
