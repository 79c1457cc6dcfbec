#pragma once
// nlohmann::json copies and serialises recursively, so a value nested a few
// hundred thousand levels deep (which fits in one protocol line) would
// overflow the stack the first time it is shown back. Protocol JSON is
// checked against a depth limit before it is parsed.
#include <cstddef>
#include <string_view>

namespace reg {

// Far deeper than any metadata or ROUTE_ADD_BULK array needs.
inline constexpr std::size_t kMaxJsonDepth = 64;

// True when arrays and objects in `text` nest more than `limit` levels deep.
// Brackets inside strings do not count; `text` need not be valid JSON.
bool json_nests_deeper_than(std::string_view text, std::size_t limit);

}  // namespace reg
