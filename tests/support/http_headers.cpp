#include "support/http_headers.hpp"

#include <strings.h>

namespace reg::test {

std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [field, value] : headers) {
    if (field.size() == name.size() && ::strncasecmp(field.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace reg::test
