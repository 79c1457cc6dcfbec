#pragma once
// regctl as a person at a terminal uses it: a real process on a
// pseudo-terminal (so isatty() holds and libedit edits lines), fed keys and
// read back as text. Every wait has a deadline, so a shell that stops
// answering fails the test instead of hanging it. HOME and XDG_STATE_HOME
// point into a private directory, so history never touches the real user's.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/regctl_runner.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {

class TerminalRegctl {
 public:
  // Starts regctl with `args` on a 160x50 terminal (TERM=xterm).
  TerminalRegctl(const Regctl& regctl, const std::vector<std::string>& args, const EnvChanges& env = {});
  ~TerminalRegctl();
  TerminalRegctl(const TerminalRegctl&) = delete;
  TerminalRegctl& operator=(const TerminalRegctl&) = delete;

  // Sends keys as typed: "\r" is Enter, "\t" Tab, "\x04" Ctrl-D, "\x1b[A" Up.
  void type(std::string_view keys);

  // Waits until `text` appears in what the terminal showed after the previous
  // match; true once it does (the next wait starts after it), false after `limit`.
  bool wait_for(std::string_view text, std::chrono::milliseconds limit = std::chrono::seconds(5));

  // Everything shown so far as a person reads it: escape sequences, carriage
  // returns and bells removed. For failure messages and negative checks.
  std::string screen_text();
  // The bells (BEL, ^G) regctl has rung so far.
  std::size_t bells();

  // The exit status once regctl ends (128 + signal if killed); -1 if it is
  // still running after `limit` (it is then killed).
  int wait_for_exit(std::chrono::milliseconds limit = std::chrono::seconds(5));

  const std::filesystem::path& state_home() const { return state_home_; }

 private:
  // Reads what is there, waiting at most `wait`: the bytes read, 0 for
  // none, -1 once the terminal is closed.
  long read_some(std::chrono::milliseconds wait);
  // Reads whatever regctl has written by now, without waiting.
  void read_available();

  TempDir home_;
  std::filesystem::path state_home_;
  pid_t pid_ = -1;
  int master_fd_ = -1;
  std::string raw_;         // bytes as regctl wrote them
  std::size_t matched_ = 0;  // offset in screen_text() after the last match
};

}  // namespace reg::test
