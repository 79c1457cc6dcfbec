#pragma once
// The typed route options OPTIONS_SET accepts (PROTOCOL.md §5): one table for
// validation, regctl's help and completion, and the docs.
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace reg {

enum class OptionType { duration, boolean, integer, size, status_range };

struct OptionSpec {
  std::string_view key;
  OptionType type;
  std::int64_t min = 0;  // the least integer; a duration's in milliseconds (1: zero is refused)
  std::int64_t max = 0;  // integers only
  std::string_view default_value;
  std::string_view help;
};

const std::vector<OptionSpec>& option_table();
const OptionSpec* find_option(std::string_view key);
std::string_view option_type_name(OptionType type);

// "invalid option timeout: expected a duration"
Status check_option_value(const OptionSpec& spec, std::string_view value);

}  // namespace reg
