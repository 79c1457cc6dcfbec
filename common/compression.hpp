#pragma once
// The `compressed` reply form (PROTOCOL.md §1): JSON gzip-compressed, then
// base64 encoded so it stays one line of text.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace reg {

std::string gzip_base64_encode(std::string_view data);
Result<std::string> gzip_base64_decode(std::string_view text);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

}  // namespace reg
