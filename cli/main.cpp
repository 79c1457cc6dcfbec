// regctl: the command-line client of regd (README "regctl").
#include <iostream>

#include "cli/cli_app.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace {

using namespace regctl;

int run_command(const CommandLine& line) {
  const OutputMode mode = resolve_output(line.output, line.colour);
  const Palette palette(mode.colour);
  ContextFile contexts = ContextFile::load(ContextFile::default_path());
  const Run run{line, mode, palette, contexts};
  switch (line.command->action) {
    case Action::protocol: return run_protocol_command(run);
    case Action::events: return run_events(run);
    case Action::raw: return run_raw(run);
    case Action::completion: return run_completion(run);
    case Action::complete: return run_complete(line.all("words"));
    case Action::context_list:
    case Action::context_use:
    case Action::context_set:
    case Action::context_delete:
    case Action::context_current: return run_context_command(run);
  }
  return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // Completion runs on every Tab press: answer before building the CLI11 app.
  if (argc >= 2 && std::string_view(argv[1]) == "__complete") return run_complete({argv + 2, argv + argc});

  const auto parsed = parse_command_line(argc, argv);
  if (!parsed.line) return parsed.exit_code;
  try {
    return run_command(*parsed.line);
  } catch (const Failure& failure) {
    std::cout << std::flush;
    std::cerr << "regctl: error: " << failure.what() << '\n';
    return failure.code();
  }
}
