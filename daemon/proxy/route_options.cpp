#include "daemon/proxy/route_options.hpp"

#include "common/option_table.hpp"

namespace reg::proxy {

void set_option(RouteOptions& options, std::string_view key, std::string_view value) {
  // Values were checked by check_option_value when staged; a parse failure
  // here leaves the default in place.
  const auto duration = [&](Milliseconds& field) {
    if (auto parsed = parse_duration(value)) field = *parsed;
  };
  const auto flag = [&](bool& field) {
    if (auto parsed = parse_bool(value)) field = *parsed;
  };
  const auto integer = [&](int& field) {
    const OptionSpec* spec = find_option(key);
    if (auto parsed = parse_integer(value, spec->min, spec->max, key)) field = static_cast<int>(*parsed);
  };
  if (key == "timeout") duration(options.timeout);
  else if (key == "connect_timeout") duration(options.connect_timeout);
  else if (key == "websocket") flag(options.websocket);
  else if (key == "strip_prefix") flag(options.strip_prefix);
  else if (key == "preserve_host") flag(options.preserve_host);
  else if (key == "weight") integer(options.weight);
  else if (key == "retries") integer(options.retries);
  else if (key == "max_body") {
    if (auto parsed = parse_size(value)) options.max_body = *parsed;
  } else if (key == "health_rise") integer(options.health_rise);
  else if (key == "health_fall") integer(options.health_fall);
  else if (key == "health_status") {
    if (auto parsed = parse_status_range(value)) options.health_status = *parsed;
  } else if (key == "slow_start") duration(options.slow_start);
}

}  // namespace reg::proxy
