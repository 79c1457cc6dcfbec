#pragma once
// Each command of `regctl shell` runs in a child process, as if typed after
// `regctl`: whatever it does (fail, exit, wait for Ctrl-C, leave signal
// handlers or half-read input behind) ends with it and never with the shell.
#include <functional>

namespace regctl {

// Runs `command` in a forked child with Ctrl-C's default action (it ends the
// command; the shell survives it) and returns its exit status, 128 + the
// signal for one killed by a signal.
int run_in_subprocess(const std::function<int()>& command);

}  // namespace regctl
