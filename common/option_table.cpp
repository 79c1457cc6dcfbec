#include "common/option_table.hpp"

#include <string>

#include "common/value_parsers.hpp"

namespace reg {

const std::vector<OptionSpec>& option_table() {
  using T = OptionType;
  static const std::vector<OptionSpec> table = {
      {"timeout", T::duration, 1, 0, "30s", "upstream response timeout (504 past it)"},
      {"connect_timeout", T::duration, 1, 0, "5s", "upstream connect timeout (504 past it, as nginx; a refused connection is 502)"},
      {"websocket", T::boolean, 0, 0, "false", "tunnel Upgrade: websocket requests"},
      {"strip_prefix", T::boolean, 0, 0, "false", "remove the route's path prefix before forwarding"},
      {"preserve_host", T::boolean, 0, 0, "true", "send the client's Host header to the backend"},
      {"weight", T::integer, 1, 1000, "100", "share in the load-balancing pool"},
      {"retries", T::integer, 0, 10, "0", "retries of idempotent requests on another backend after a connect failure"},
      {"max_body", T::size, 0, 0, "10m", "largest request body accepted (413 beyond)"},
      {"health_rise", T::integer, 1, 100, "2", "passing checks before a backend is healthy again"},
      {"health_fall", T::integer, 1, 100, "3", "failed checks before a backend is unhealthy"},
      {"health_status", T::status_range, 0, 0, "200-399", "status range a health check expects"},
      {"slow_start", T::duration, 0, 0, "0s", "ramp-up time of a backend that joins or recovers"},
  };
  return table;
}

const OptionSpec* find_option(std::string_view key) {
  for (const auto& spec : option_table())
    if (spec.key == key) return &spec;
  return nullptr;
}

std::string_view option_type_name(OptionType type) {
  switch (type) {
    case OptionType::duration: return "a duration";
    case OptionType::boolean: return "a bool";
    case OptionType::integer: return "an integer";
    case OptionType::size: return "a size";
    case OptionType::status_range: return "a status range";
  }
  return "";
}

Status check_option_value(const OptionSpec& spec, std::string_view value) {
  bool valid = false;
  bool zero_refused = false;  // a duration, but not one above zero
  switch (spec.type) {
    case OptionType::duration: {
      const auto duration = parse_duration(value);
      valid = duration && duration->count() >= spec.min;
      zero_refused = duration && !valid;
      break;
    }
    case OptionType::boolean: valid = parse_bool(value).ok(); break;
    case OptionType::integer: valid = parse_integer(value, spec.min, spec.max, spec.key).ok(); break;
    case OptionType::size: valid = parse_size(value).ok(); break;
    case OptionType::status_range: valid = parse_status_range(value).ok(); break;
  }
  if (valid) return success();
  std::string message = "invalid option " + std::string(spec.key) + ": expected " +
                        std::string(option_type_name(spec.type));
  if (spec.type == OptionType::integer)
    message += " from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
  if (zero_refused) message += " above zero";
  return make_error(std::move(message));
}

}  // namespace reg
