#pragma once
// `config diff` drawn from CONFIG_DIFF's `changes` list: "+" added, "~"
// modified (old → new per field), "-" removed.
#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/colour.hpp"

namespace regctl {

void print_diff(std::ostream& out, const nlohmann::ordered_json& diff, const Palette& palette);

// Whether the diff holds any change (`config diff --exit-code`).
bool diff_has_changes(const nlohmann::ordered_json& diff);

}  // namespace regctl
