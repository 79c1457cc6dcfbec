#pragma once
// Text for the man page generators: roff treats a leading '.' or '\'' as a
// request, '\' as an escape, and '-' as a hyphen that may be printed as a dash
// (so a flag copied from the page would not work).
#include <string>
#include <string_view>

namespace reg::man {

inline std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
  return out;
}

}  // namespace reg::man
