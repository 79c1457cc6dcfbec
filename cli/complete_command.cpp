// `regctl __complete WORDS...` for shell completion scripts: the candidates
// for the last word (which may be empty or partly typed), one per line. Ids
// come live from regd, within a hard 1 s limit; any failure offers nothing.
// With REGCTL_COMPLETE_DESCRIPTIONS=1 a tab and a description follow the
// candidates that have one (commands, flags).
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command_tree.hpp"
#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/contexts.hpp"
#include "common/client_connection.hpp"

namespace regctl {
namespace {

using Clock = std::chrono::steady_clock;
using reg::FieldKind;

constexpr reg::Milliseconds live_lookup_limit{1000};

// One request to regd; empty on any failure or when the limit passes.
std::string ask_regd(const GlobalFlags& flags, const std::string& line_without_session, bool needs_session) {
  try {
    const auto file = ContextFile::load(ContextFile::default_path());
    const auto settings = resolve_connection(flags, file);
    if (needs_session && settings.session.empty()) return "";
    const auto deadline = Clock::now() + live_lookup_limit;
    const auto left = [&] { return std::chrono::duration_cast<reg::Milliseconds>(deadline - Clock::now()); };
    auto connection = reg::ClientConnection::connect(settings.server, live_lookup_limit);
    if (!connection) return "";
    if (!settings.token.empty()) {
      auto auth = connection->request("AUTH|" + settings.token, left());
      if (!auth || *auth != "OK") return "";
    }
    const std::string line = needs_session ? line_without_session + "|" + settings.session : line_without_session;
    auto reply = connection->request(line, left());
    return reply ? *reply : "";
  } catch (...) {
    return "";  // a broken config file or token file: no candidates, no noise in the shell
  }
}

std::vector<std::string> ids_from(const std::string& reply, std::string_view code, const char* key) {
  std::vector<std::string> ids;
  const std::string prefix = std::string(code) + "|";
  if (!reply.starts_with(prefix)) return ids;
  const auto items = nlohmann::json::parse(reply.substr(prefix.size()), nullptr, false);
  if (!items.is_array()) return ids;
  for (const auto& item : items)
    if (item.is_object() && item.contains(key) && item[key].is_string()) ids.push_back(item[key].get<std::string>());
  return ids;
}

std::vector<std::string> candidates_for(const ValueKind& kind, const GlobalFlags& flags) {
  auto choices = value_choices(kind);
  if (!choices.empty()) return choices;
  if (const auto* field = std::get_if<FieldKind>(&kind)) {
    switch (*field) {
      case FieldKind::route_id: return ids_from(ask_regd(flags, "ROUTE_LIST", true), "ROUTE_LIST_OK", "route_id");
      case FieldKind::target:
      case FieldKind::maint_target: {
        auto ids = ids_from(ask_regd(flags, "ROUTE_LIST", true), "ROUTE_LIST_OK", "route_id");
        ids.insert(ids.begin(), "ALL");
        return ids;
      }
      case FieldKind::session_id:
        return ids_from(ask_regd(flags, "SESSION_LIST", false), "SESSION_LIST_OK", "session_id");
      default: return {};
    }
  }
  if (std::get<ClientValue>(kind) == ClientValue::context_name) {
    std::vector<std::string> names;
    try {
      const auto file = ContextFile::load(ContextFile::default_path());
      for (const auto& [name, context] : file.contexts()) names.push_back(name);
    } catch (...) {
    }
    return names;
  }
  return {};
}

void remember_global(GlobalFlags& flags, std::string_view name, const std::string& value) {
  if (name == "--server") flags.server = value;
  else if (name == "--session") flags.session = value;
  else if (name == "--token-file") flags.token_file = value;
  else if (name == "--context") flags.context = value;
}

// What zsh and fish show beside a candidate: a command's summary or a flag's
// help. Values go without: the word says it all.
std::string description_of(const std::string& candidate, const std::vector<std::string>& prefix,
                           const Command* command) {
  const auto& tree = command_tree();
  if (candidate.starts_with("-")) {
    if (candidate == "--help") return "print help";
    const Flag* flag = command ? command->find_flag(candidate) : nullptr;
    if (!flag) flag = tree.find_global_flag(candidate);
    return flag ? flag->help : "";
  }
  const auto children = tree.next_words(prefix);
  if (std::find(children.begin(), children.end(), candidate) == children.end()) return "";
  auto words = prefix;
  words.push_back(candidate);
  return tree.summary_of(words);
}

// What the words typed so far resolve to, and what may come next.
struct Completion {
  std::vector<std::string> prefix;  // the command words
  const Command* command = nullptr;
  std::vector<std::string> candidates;
};

Completion complete_words(const std::vector<std::string>& words, const GlobalFlags& defaults) {
  const auto& tree = command_tree();
  const std::string current = words.empty() ? "" : words.back();
  std::vector<std::string> prefix;
  GlobalFlags flags = defaults;
  std::size_t positional_count = 0;
  const Flag* pending_flag = nullptr;  // a flag whose value comes next

  const auto find_flag = [&](std::string_view name) -> const Flag* {
    if (const auto* command = tree.find(prefix))
      if (const auto* flag = command->find_flag(name)) return flag;
    return tree.find_global_flag(name);
  };

  for (std::size_t index = 0; index + 1 < words.size(); ++index) {
    const std::string& word = words[index];
    if (pending_flag) {
      if (tree.find_global_flag(pending_flag->name) == pending_flag) remember_global(flags, pending_flag->name, word);
      pending_flag = nullptr;
      continue;
    }
    if (word.starts_with("-")) {
      const auto equals = word.find('=');
      const auto* flag = find_flag(word.substr(0, equals));
      if (flag && flag->value && equals == std::string::npos) pending_flag = flag;
      else if (flag && equals != std::string::npos) remember_global(flags, flag->name, word.substr(equals + 1));
      continue;
    }
    const auto children = tree.next_words(prefix);
    if (positional_count == 0 && std::find(children.begin(), children.end(), word) != children.end()) {
      prefix.push_back(word);
    } else {
      ++positional_count;
    }
  }

  std::vector<std::string> candidates;
  const Command* command = tree.find(prefix);
  if (pending_flag) {
    candidates = candidates_for(pending_flag->value->kind, flags);
  } else if (current.starts_with("-")) {
    if (command)
      for (const auto& flag : command->flags) candidates.push_back(flag.name);
    for (const auto& flag : tree.global_flags()) candidates.push_back(flag.name);
    candidates.push_back("--help");
  } else {
    if (positional_count == 0) candidates = tree.next_words(prefix);
    if (command && !command->positionals.empty()) {
      const auto& positionals = command->positionals;
      const bool past_end = positional_count >= positionals.size() && !positionals.back().repeated;
      if (!past_end) {
        const auto& argument = positionals[std::min(positional_count, positionals.size() - 1)];
        for (auto& candidate : candidates_for(argument.kind, flags)) candidates.push_back(std::move(candidate));
      }
    }
  }
  std::erase_if(candidates, [&](const std::string& candidate) { return !candidate.starts_with(current); });
  return {std::move(prefix), command, std::move(candidates)};
}

}  // namespace

std::vector<std::string> completion_candidates(const std::vector<std::string>& words, const GlobalFlags& defaults) {
  return complete_words(words, defaults).candidates;
}

int run_complete(const std::vector<std::string>& words) {
  const Completion completion = complete_words(words, {});
  // The zsh and fish scripts ask for "candidate<TAB>description" lines.
  const char* described = std::getenv("REGCTL_COMPLETE_DESCRIPTIONS");
  const bool with_descriptions = described && std::string_view(described) == "1";
  for (const auto& candidate : completion.candidates) {
    std::cout << candidate;
    if (with_descriptions) {
      const auto description = description_of(candidate, completion.prefix, completion.command);
      if (!description.empty()) std::cout << '\t' << description;
    }
    std::cout << '\n';
  }
  return 0;
}

}  // namespace regctl
