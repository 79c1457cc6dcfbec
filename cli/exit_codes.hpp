#pragma once
// regctl's exit statuses, documented in the README; scripts branch on them, so
// each outcome has its own and they never change meaning.
#include <stdexcept>
#include <string>

namespace regctl {

enum ExitCode : int {
  exit_success = 0,
  exit_changes_found = 1,    // only with `config diff --exit-code`
  exit_usage = 2,            // bad command line, unknown context, missing session
  exit_unreachable = 3,      // cannot connect, timed out, connection lost
  exit_session_gone = 4,     // session not found, expired, or cannot be restored
  exit_server_error = 5,     // any other ERROR reply
};

// Ends the command with `code`; main() prints "regctl: error: <message>".
class Failure : public std::runtime_error {
 public:
  Failure(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace regctl
