#pragma once
// Control-plane settings from regd's command line.
#include <cstddef>
#include <string>

#include "common/value_parsers.hpp"

namespace reg::control {

struct ControlSettings {
  HostPort listen{"127.0.0.1", 81};
  Milliseconds session_grace{5 * 60'000};
  Milliseconds staged_ttl{30 * 60'000};
  Milliseconds maint_verify_timeout{60'000};
  std::size_t max_line_bytes = 1 << 20;
  std::size_t event_queue_limit = 1024;      // per connection
  std::size_t max_routes_per_session = 100'000;
  std::size_t max_sessions = 100'000;
  // Beyond it a new connection gets one ERROR line and is closed.
  std::size_t max_connections = 10'000;
  // With a token, a connection that has not authenticated by then is closed,
  // so unauthenticated peers cannot hold connection slots for ever.
  Milliseconds auth_timeout{10'000};
  // Past this much unsent output a connection stops reading, so a client
  // that never reads cannot grow the daemon's memory.
  std::size_t max_output_bytes = 8 << 20;
  std::string auth_token;  // empty: no AUTH needed
};

}  // namespace reg::control
