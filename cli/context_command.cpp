// `regctl context list|use|set|delete|current`: named connection settings in
// the config file, like kubectl's contexts.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/reply_views.hpp"
#include "cli/table.hpp"

namespace regctl {
namespace {

std::string auth_of(const Context& context) {
  if (!context.token_file.empty()) return context.token_file;
  return context.token.empty() ? "-" : "token";
}

int list(const Run& run) {
  const auto& file = run.contexts;
  const Format format = run.mode.format_for(false);
  if (format == Format::json) {
    Json contexts = Json::array();
    for (const auto& [name, context] : file.contexts()) {
      // The token itself stays in the file: output ends up in logs.
      contexts.push_back({{"name", name},
                          {"current", name == file.current_name()},
                          {"server", context.server},
                          {"token_file", context.token_file},
                          {"has_token", !context.token.empty()},
                          {"session", context.session}});
    }
    std::cout << contexts.dump(run.mode.stdout_terminal ? 2 : -1) << '\n';
    return exit_success;
  }
  if (format == Format::plain) {
    for (const auto& [name, context] : file.contexts()) std::cout << name << '\n';
    return exit_success;
  }
  Table table({"CURRENT", "NAME", "SERVER", "SESSION", "AUTH"});
  for (const auto& [name, context] : file.contexts()) {
    const bool current = name == file.current_name();
    table.add_row({{current ? "*" : ""},
                   {name, current ? Tone::green : Tone::none},
                   {context.server.empty() ? "-" : context.server},
                   {context.session.empty() ? "-" : context.session},
                   {auth_of(context)}});
  }
  table.render(std::cout, run.palette, run.mode.borders);
  return exit_success;
}

}  // namespace

int run_context_command(const Run& run) {
  const Command& command = *run.line.command;
  auto& file = run.contexts;
  switch (command.action) {
    case Action::context_list: return list(run);
    case Action::context_current:
      if (file.current_name().empty()) throw Failure(exit_usage, "no current context (see `regctl context use`)");
      std::cout << file.current_name() << '\n';
      return exit_success;
    case Action::context_use:
      file.require(run.line.all("name").front());
      file.set_current(run.line.all("name").front());
      file.save();
      return exit_success;
    case Action::context_delete:
      file.require(run.line.all("name").front());
      file.remove(run.line.all("name").front());
      file.save();
      return exit_success;
    case Action::context_set: {
      const std::string name = run.line.all("name").front();
      auto& context = file.upsert(name);
      const std::pair<const char*, std::string*> settings[] = {{"--server", &context.server},
                                                               {"--token-file", &context.token_file},
                                                               {"--token", &context.token},
                                                               {"--session", &context.session}};
      for (const auto& [flag, setting] : settings)
        if (run.line.has(flag)) *setting = run.line.all(flag).back();
      if (run.line.has("--use") || file.current_name().empty()) file.set_current(name);
      file.save();
      return exit_success;
    }
    default: return exit_usage;
  }
}

}  // namespace regctl
