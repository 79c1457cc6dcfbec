#pragma once
// Ctrl-C as a request to stop: --watch and `events` run until it and then exit 0.
#include "common/value_parsers.hpp"

namespace regctl {

// Replaces SIGINT's default (termination) with setting a flag.
void catch_interrupts();
bool interrupted();
// Forgets a Ctrl-C that has been acted on (the shell's prompt lives on after it).
void clear_interrupt();
// Sleeps for `duration`, returning early (false) once Ctrl-C was pressed.
bool sleep_unless_interrupted(reg::Milliseconds duration);

// How long a blocking read may run before checking for Ctrl-C again.
inline constexpr reg::Milliseconds interrupt_check_interval{100};

}  // namespace regctl
