#pragma once
// What each kind of command does once its command line is parsed. Each returns
// an exit status or throws Failure.
#include <string>
#include <vector>

#include "cli/cli_app.hpp"
#include "cli/colour.hpp"
#include "cli/contexts.hpp"
#include "cli/control_client.hpp"
#include "cli/output_mode.hpp"

namespace regctl {

struct Run {
  const CommandLine& line;
  const OutputMode& mode;
  const Palette& palette;
  ContextFile& contexts;

  ConnectionSettings connection() const { return resolve_connection(line.connection, contexts); }
};

int run_protocol_command(const Run& run);
int run_raw(const Run& run);
int run_events(const Run& run);
// One EVENT line as `regctl events` shows it (the shell shows its events so too).
void print_event(const Reply& event, Format format, const Palette& palette);
int run_context_command(const Run& run);
int run_completion(const Run& run);
int run_shell(const Run& run);

// Runs a parsed command line; a Failure is printed as "regctl: error: ..."
// and becomes the exit status.
int run_command_line(const CommandLine& line);

// `regctl __complete WORDS...`: runs before the CLI11 app is built, so a shell
// gets its candidates in a few milliseconds.
int run_complete(const std::vector<std::string>& words);

}  // namespace regctl
