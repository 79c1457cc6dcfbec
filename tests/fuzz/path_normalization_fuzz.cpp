// The proxy's path normalisation on arbitrary paths: a path it accepts comes
// out in normal form (one "/" between segments, no "." or ".." segment, no
// escape of an unreserved character), and normalising that again changes
// nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/proxy/path_normalization.hpp"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int hex_value(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void require_normal(std::string_view path) {
  require(path.starts_with('/'));
  require(path.find("//") == std::string_view::npos);
  require(path.find("/./") == std::string_view::npos && !path.ends_with("/."));
  require(path.find("/../") == std::string_view::npos && !path.ends_with("/.."));
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') continue;
    require(i + 2 < path.size() && is_hex(path[i + 1]) && is_hex(path[i + 2]));
    require(!is_unreserved(static_cast<char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]))));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = "/" + std::string(reinterpret_cast<const char*>(data), size);
  const auto normal = reg::proxy::normalize_path(path);
  if (!normal.valid) return 0;
  const std::string result = normal.rewritten.empty() ? path : normal.rewritten;
  require_normal(result);
  const auto again = reg::proxy::normalize_path(result);
  require(again.valid && again.rewritten.empty());
  return 0;
}
