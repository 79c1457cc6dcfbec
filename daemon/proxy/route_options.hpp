#pragma once
// Typed per-route options (OPTIONS_SET keys, PROTOCOL.md §5) as the proxy uses them.
#include <cstdint>
#include <string_view>

#include "common/value_parsers.hpp"

namespace reg::proxy {

struct RouteOptions {
  Milliseconds timeout{30'000};         // upstream response timeout
  Milliseconds connect_timeout{5'000};
  bool websocket = false;
  bool strip_prefix = false;
  bool preserve_host = true;
  int weight = 100;                     // 1-1000, share in the pool
  int retries = 0;                      // idempotent retries on another backend
  std::uint64_t max_body = 10ull << 20; // request body limit, bytes
  int health_rise = 2;
  int health_fall = 3;
  StatusRange health_status{200, 399};
  Milliseconds slow_start{0};

  bool operator==(const RouteOptions&) const = default;
};

// Sets one option from its protocol text (already validated against
// common/option_table.hpp).
void set_option(RouteOptions& options, std::string_view key, std::string_view value);

}  // namespace reg::proxy
