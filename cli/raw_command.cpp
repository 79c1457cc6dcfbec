// `regctl raw LINE...`: the protocol without regctl's help, for debugging and
// for commands regctl presents differently. Replies are printed as they come.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/control_client.hpp"
#include "cli/exit_codes.hpp"

namespace regctl {

int run_raw(const Run& run) {
  ControlClient client(run.connection());
  int status = exit_success;
  for (const auto& line : run.line.all("line")) {
    const auto reply = split_reply(client.exchange(line));
    std::cout << reply.line << '\n';
    try {
      throw_if_error(reply, client.settings());
    } catch (const Failure& failure) {
      status = failure.code();  // keep going: the other lines were asked for too
    }
  }
  return status;
}

}  // namespace regctl
