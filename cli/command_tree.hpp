#pragma once
// regctl's whole command tree in one place: every protocol command of
// command_table() under its cli_path, plus the client-only commands. The CLI11
// app, `regctl __complete` (which the shell completion scripts call), the man
// page regctl(1) and the REPL are all built from it, so they cannot disagree.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/command_table.hpp"

namespace regctl {

// What a value names when it is not a protocol field.
enum class ClientValue {
  text, protocol_line, file, context_name, server_address, output_format, colour_mode, lease, meta_pair, shell
};

// Protocol values carry their FieldKind (validation and completion come from
// common/); client-only values say what they are.
using ValueKind = std::variant<reg::FieldKind, ClientValue>;

struct Argument {
  Argument(std::string name, ValueKind kind, std::string help = {})
      : name(std::move(name)), kind(std::move(kind)), help(std::move(help)) {}

  std::string name;  // "route_id"; help shows it upper-cased
  ValueKind kind;
  bool required = true;
  bool repeated = false;
  std::optional<std::string> default_value;
  std::string help;
  // Index of the protocol field this value fills, if any.
  std::optional<std::size_t> field_index;

  std::string display_name() const;  // "ROUTE_ID"
};

struct Flag {
  std::string name;        // "--domains"
  std::string short_name;  // "-o", or empty
  std::optional<Argument> value;  // none: an on/off switch
  std::string help;
};

// Commands whose behaviour is more than "send the line, print the reply".
enum class Action {
  protocol, events, raw, context_list, context_use, context_set, context_delete, context_current, completion, complete,
  shell
};

struct Command {
  Command() = default;
  Command(std::vector<std::string> words, std::string summary, Action action)
      : words(std::move(words)), summary(std::move(summary)), action(action) {}

  std::vector<std::string> words;  // {"route", "add"}
  std::string summary;
  std::vector<std::string> examples;  // complete regctl command lines
  const reg::CommandSpec* protocol = nullptr;
  Action action = Action::protocol;
  std::vector<Argument> positionals;
  std::vector<Flag> flags;
  bool hidden = false;

  std::string path() const;  // "route add"
  const Flag* find_flag(std::string_view name) const;
};

class CommandTree {
 public:
  CommandTree();

  const std::vector<Flag>& global_flags() const { return global_flags_; }
  const std::vector<Command>& commands() const { return commands_; }

  const Command* find(const std::vector<std::string>& words) const;
  const Flag* find_global_flag(std::string_view name) const;
  // The words that may follow `prefix` ({} gives the top-level words), in help order.
  std::vector<std::string> next_words(const std::vector<std::string>& prefix, bool include_hidden = false) const;
  // Help group of a top-level word ("Routes", "Client").
  std::string group_of(std::string_view top_word) const;
  // One line about a word that has sub-words but may not be a command itself.
  std::string summary_of(const std::vector<std::string>& words) const;

 private:
  std::vector<Flag> global_flags_;
  std::vector<Command> commands_;
};

// Built once, on first use.
const CommandTree& command_tree();

// Help text for a protocol value kind ("500ms, 30s, 1m30s, 2h").
std::string describe_kind(reg::FieldKind kind);
// Fixed candidates for a value (output formats, event types...), empty if open.
std::vector<std::string> value_choices(const ValueKind& kind);

}  // namespace regctl
