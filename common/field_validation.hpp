#pragma once
// Checks one protocol field by its kind (command_table.hpp) and returns the
// parsed value, so the daemon validates every command the same way before a
// handler runs, and regctl can check input before it sends anything.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/command_table.hpp"
#include "common/result.hpp"
#include "common/value_parsers.hpp"

namespace reg {

// route_id -> route number; domains, maint_target, apply_scope -> list;
// durations -> Milliseconds; integers -> int64; JSON kinds -> json;
// backend_url -> BackendUrl (optional_backend_url: monostate when empty);
// everything else -> the text itself.
using FieldValue = std::variant<std::monostate, std::string, std::int64_t, Milliseconds,
                                std::vector<std::string>, BackendUrl, nlohmann::json, std::uint64_t>;

Result<FieldValue> validate_field(const CommandSpec& command, const FieldSpec& field, std::string_view text);

// A maintenance target item: route id, path or domain.
bool is_maint_target_item(std::string_view item);

}  // namespace reg
