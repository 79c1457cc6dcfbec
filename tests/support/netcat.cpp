#include "support/netcat.hpp"

#include <stdio.h>

#include <stdexcept>

namespace reg::test {
namespace {

std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

std::string nc_command(const HostPort& server, std::string_view line) {
  const std::string command =
      "printf '%s\\n' " + shell_quote(line) + " | nc -w 1 " + server.host + " " + std::to_string(server.port);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  std::string output;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) output.append(chunk, n);
  if (::pclose(pipe) == -1) throw std::runtime_error("cannot wait for: " + command);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

}  // namespace reg::test
