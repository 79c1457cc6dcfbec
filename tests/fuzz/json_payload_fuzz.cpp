// JSON from clients: REGISTER metadata and ROUTE_ADD_BULK arrays, validated
// as the dispatcher does, then each bulk entry checked as the handler does.
// An accepted value is shown back to clients later, so it must survive a
// copy and a dump.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/command_table.hpp"
#include "common/field_validation.hpp"
#include "common/line_codec.hpp"
#include "daemon/control/bulk_route_entry.hpp"

namespace {

const reg::FieldSpec& last_field(std::string_view command) { return reg::find_command(command)->fields.back(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The dispatcher refuses a badly encoded line before any field is looked at.
  if (!reg::is_valid_encoding(text)) return 0;
  static const reg::CommandSpec& register_spec = *reg::find_command("REGISTER");
  static const reg::CommandSpec& bulk_spec = *reg::find_command("ROUTE_ADD_BULK");

  if (auto metadata = reg::validate_field(register_spec, last_field("REGISTER"), text)) {
    const nlohmann::json copy = std::get<nlohmann::json>(*metadata);
    (void)copy.dump();
  }
  if (auto bulk = reg::validate_field(bulk_spec, last_field("ROUTE_ADD_BULK"), text)) {
    for (const auto& entry : std::get<nlohmann::json>(*bulk)) {
      if (auto route = reg::control::parse_bulk_route_entry(entry)) (void)route->backend.to_string();
    }
  }
  return 0;
}
