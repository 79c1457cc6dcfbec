// regctl: the command-line client of regd (README "regctl").
#include <unistd.h>

#include <iostream>

#include "cli/cli_app.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace regctl;
  std::ios::sync_with_stdio(false);
  // Completion runs on every Tab press: answer before building the CLI11 app.
  if (argc >= 2 && std::string_view(argv[1]) == "__complete") return run_complete({argv + 2, argv + argc});

  // Bare `regctl` at a terminal is the shell; elsewhere it prints its usage.
  char shell_word[] = "shell";
  char* shell_argv[] = {argv[0], shell_word, nullptr};
  if (argc == 1 && ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1) {
    argc = 2;
    argv = shell_argv;
  }
  const auto parsed = parse_command_line(argc, argv);
  if (!parsed.line) return parsed.exit_code;
  return run_command_line(*parsed.line);
}
