#include "cli/repl_subprocess.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "cli/exit_codes.hpp"

namespace regctl {

int run_in_subprocess(const std::function<int()>& command) {
  // Unflushed output would be written twice, once by each process.
  std::cout << std::flush;
  std::cerr << std::flush;
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw Failure(exit_unreachable, "cannot start the command: fork failed");
  if (child == 0) {
    // The shell's handlers are the shell's: a command starts as `regctl COMMAND` would.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGWINCH, SIG_DFL);
    int status = exit_server_error;
    try {
      status = command();
    } catch (const std::exception& unexpected) {
      std::cerr << "regctl: error: " << unexpected.what() << '\n';
    }
    std::cout << std::flush;
    std::cerr << std::flush;
    std::fflush(nullptr);
    ::_exit(status);  // the shell's state (terminal, libedit, atexit) belongs to the shell
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace regctl
