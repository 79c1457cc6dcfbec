#pragma once
// What each kind of command does once its command line is parsed. Each returns
// an exit status or throws Failure.
#include <string>
#include <vector>

#include "cli/cli_app.hpp"
#include "cli/colour.hpp"
#include "cli/contexts.hpp"
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
int run_context_command(const Run& run);
int run_completion(const Run& run);

// `regctl __complete WORDS...`: runs before the CLI11 app is built, so a shell
// gets its candidates in a few milliseconds.
int run_complete(const std::vector<std::string>& words);

}  // namespace regctl
