#include "cli/connection_settings.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/exit_codes.hpp"

namespace regctl {
namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Failure(exit_usage, "cannot read token file " + path);
  std::stringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  // Files written by `echo` end in a newline that is not part of the token.
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty()) throw Failure(exit_usage, "token file " + path + " is empty");
  return token;
}

}  // namespace

std::string context_in_effect(const GlobalFlags& flags, const ContextFile& file) {
  const std::string name = flags.context.value_or(file.current_name());
  if (!name.empty()) file.require(name);
  return name;
}

ConnectionSettings resolve_connection(const GlobalFlags& flags, const ContextFile& file) {
  ConnectionSettings settings;
  settings.context_name = context_in_effect(flags, file);
  const Context none;
  const Context& context = settings.context_name.empty() ? none : file.require(settings.context_name);
  const std::string context_origin = "context " + settings.context_name;

  std::string server_origin = "--server";
  std::optional<std::string> server = flags.server;
  if (!server && (server = environment("REGCTL_SERVER"))) server_origin = "REGCTL_SERVER";
  if (!server && !context.server.empty()) {
    server = context.server;
    server_origin = context_origin;
  }
  auto address = reg::parse_host_port(server.value_or(std::string(default_server)));
  if (!address) throw Failure(exit_usage, "invalid server address from " + server_origin + ": " + address.error());
  settings.server = *address;

  if (flags.session) {
    settings.session = *flags.session;
    settings.session_origin = "--session";
  } else if (auto session = environment("REGCTL_SESSION")) {
    settings.session = *session;
    settings.session_origin = "REGCTL_SESSION";
  } else if (!context.session.empty()) {
    settings.session = context.session;
    settings.session_origin = context_origin;
  }

  if (flags.token_file) {
    settings.token = read_token_file(*flags.token_file);
  } else if (auto token = environment("REGCTL_TOKEN")) {
    settings.token = *token;
  } else if (!context.token_file.empty()) {
    settings.token = read_token_file(context.token_file);
  } else {
    settings.token = context.token;
  }

  if (flags.timeout) {
    auto timeout = reg::parse_positive_duration(*flags.timeout);
    if (!timeout) {
      throw Failure(exit_usage, "invalid --timeout " + *flags.timeout + " (expected a duration such as 500ms or 10s)");
    }
    settings.timeout = *timeout;
  }
  return settings;
}

}  // namespace regctl
