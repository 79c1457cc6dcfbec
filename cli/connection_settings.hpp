#pragma once
// Where regctl connects and as whom. Each setting comes from the first of:
// flag, environment, the context in effect, the default.
#include <optional>
#include <string>

#include "cli/contexts.hpp"
#include "common/value_parsers.hpp"

namespace regctl {

struct GlobalFlags {
  std::optional<std::string> server;
  std::optional<std::string> session;
  std::optional<std::string> token_file;
  std::optional<std::string> timeout;
  std::optional<std::string> context;
};

struct ConnectionSettings {
  reg::HostPort server;
  std::string session;         // empty: none known
  std::string session_origin;  // "--session", "REGCTL_SESSION", "context staging"
  std::string token;           // empty: no AUTH
  reg::Milliseconds timeout{10'000};
  std::string context_name;    // the context in effect, empty when none
};

inline constexpr std::string_view default_server = "127.0.0.1:81";

// Throws a usage Failure for a bad flag value, an unreadable token file or an
// unknown context.
ConnectionSettings resolve_connection(const GlobalFlags& flags, const ContextFile& file);

// The context --context names, else the current one; empty when there is none.
std::string context_in_effect(const GlobalFlags& flags, const ContextFile& file);

}  // namespace regctl
