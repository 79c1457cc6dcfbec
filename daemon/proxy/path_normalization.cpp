#include "daemon/proxy/path_normalization.hpp"

#include <cstddef>

#include "daemon/proxy/character_table.hpp"

namespace reg::proxy {
namespace {

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Whether the path has anything normalisation would touch: a '%', "//", or a
// segment that starts with '.'. One pass, no allocation.
bool may_change(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%') return true;
    if (path[i] == '/' && i + 1 < path.size() && (path[i + 1] == '/' || path[i + 1] == '.')) return true;
  }
  return false;
}

}  // namespace

NormalizedPath normalize_path(std::string_view path) {
  if (!may_change(path)) return {};

  // Segments go to `out` one at a time, each with its leading '/'; ".." takes
  // the last one back off.
  std::string out;
  out.reserve(path.size());
  std::string segment;
  // "/a/", "/a/." and "/a/b/.." all name the directory "/a/" (RFC 3986 §5.2.4).
  bool ends_in_directory = false;
  std::size_t position = 0;
  while (position < path.size()) {
    while (position < path.size() && path[position] == '/') ++position;
    if (position == path.size()) {
      ends_in_directory = true;
      break;
    }
    segment.clear();
    while (position < path.size() && path[position] != '/') {
      if (path[position] != '%') {
        segment += path[position++];
        continue;
      }
      if (path.size() - position < 3) return {false, {}};
      const int high = hex_value(path[position + 1]);
      const int low = hex_value(path[position + 2]);
      if (high < 0 || low < 0) return {false, {}};
      const char decoded = static_cast<char>(high * 16 + low);
      if (is_unreserved(decoded)) {
        segment += decoded;
      } else {
        segment.append(path.substr(position, 3));
      }
      position += 3;
    }
    ends_in_directory = segment == "." || segment == "..";
    if (segment == "..") {
      if (out.empty()) return {false, {}};
      out.erase(out.rfind('/'));
    } else if (segment != ".") {
      out += '/';
      out += segment;
    }
  }
  if (out.empty() || ends_in_directory) out += '/';
  if (out == path) return {};
  return {true, std::move(out)};
}

}  // namespace reg::proxy
