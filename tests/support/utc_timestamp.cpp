#include "support/utc_timestamp.hpp"

#include <cstdio>
#include <ctime>
#include <regex>
#include <stdexcept>
#include <string>

namespace reg::test {

bool is_utc_timestamp(std::string_view text) {
  static const std::regex format(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  return std::regex_match(text.begin(), text.end(), format);
}

std::chrono::system_clock::time_point parse_utc_timestamp(std::string_view text) {
  if (!is_utc_timestamp(text)) throw std::runtime_error("not an RFC 3339 UTC time: " + std::string(text));
  std::tm fields{};
  const std::string copy(text);
  std::sscanf(copy.c_str(), "%d-%d-%dT%d:%d:%dZ", &fields.tm_year, &fields.tm_mon, &fields.tm_mday,
              &fields.tm_hour, &fields.tm_min, &fields.tm_sec);
  fields.tm_year -= 1900;
  fields.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(::timegm(&fields));
}

}  // namespace reg::test
