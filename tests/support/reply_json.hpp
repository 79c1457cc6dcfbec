#pragma once
// The JSON part of a reply such as `SESSION_OK|{...}`.
#include <string_view>

#include <nlohmann/json.hpp>

namespace reg::test {

// Parses what follows "CODE|"; throws, quoting the reply, when the reply has
// another code or the rest is not JSON.
nlohmann::json reply_json(std::string_view reply, std::string_view code);

}  // namespace reg::test
