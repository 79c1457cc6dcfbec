#pragma once
// Decodes a `compressed` reply (base64 of gzip) with zlib directly, not with
// regd's own codec, so a bug shared by encoder and decoder cannot hide.
#include <string>
#include <string_view>

namespace reg::test {

// Throws when the text is not base64 of a complete gzip stream.
std::string gunzip_base64(std::string_view text);

}  // namespace reg::test
