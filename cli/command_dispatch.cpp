// From a parsed command line to the code that runs it, for main() and for
// each line of `regctl shell`.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace regctl {
namespace {

int dispatch(const CommandLine& line) {
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
    case Action::shell: return run_shell(run);
    case Action::context_list:
    case Action::context_use:
    case Action::context_set:
    case Action::context_delete:
    case Action::context_current: return run_context_command(run);
  }
  return exit_usage;
}

}  // namespace

int run_command_line(const CommandLine& line) {
  try {
    return dispatch(line);
  } catch (const Failure& failure) {
    std::cout << std::flush;
    std::cerr << "regctl: error: " << failure.what() << '\n';
    return failure.code();
  }
}

}  // namespace regctl
