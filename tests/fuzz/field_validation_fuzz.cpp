// A protocol line through the checks the dispatcher runs before any handler:
// encoding, framing and arity by the command table, then every field by its
// kind. Whatever the line, the answer is a value or an error text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/field_validation.hpp"
#include "common/line_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  if (line.find('\n') != std::string_view::npos || !reg::is_valid_encoding(line)) return 0;
  reg::ParsedCommand parsed;
  std::string_view unknown;
  if (reg::parse_command(line, parsed, unknown) != reg::ParseStatus::ok) return 0;
  const reg::CommandSpec& spec = *parsed.spec;
  for (std::size_t i = 0; i < parsed.fields.size() && i < spec.fields.size(); ++i) {
    const auto value = reg::validate_field(spec, spec.fields[i], parsed.fields[i]);
    if (!value && value.error().empty()) __builtin_trap();  // every refusal says why
  }
  return 0;
}
