#pragma once
// HTTP header fields as a test sees them: in order, duplicates kept, looked up
// without regard to case.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reg::test {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The first field named `name`, if any.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);

}  // namespace reg::test
