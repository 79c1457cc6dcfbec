#include "cli/colour.hpp"

namespace regctl {

std::string Palette::paint(std::string_view text, Tone tone) const {
  if (!enabled_ || tone == Tone::none || text.empty()) return std::string(text);
  std::string_view code;
  switch (tone) {
    case Tone::none: break;
    case Tone::bold: code = "1"; break;
    case Tone::dim: code = "2"; break;
    case Tone::green: code = "32"; break;
    case Tone::yellow: code = "33"; break;
    case Tone::red: code = "31"; break;
    case Tone::cyan: code = "36"; break;
  }
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

Tone tone_of_state(std::string_view state) {
  if (state == "active" || state == "closed" || state == "healthy" || state == "attached" || state == "reachable") {
    return Tone::green;
  }
  if (state == "staged" || state == "half_open" || state == "detached" || state == "draining" ||
      state == "maintenance") {
    return Tone::yellow;
  }
  if (state == "pending_removal" || state == "open" || state == "unhealthy" || state == "unreachable" || state == "failed") {
    return Tone::red;
  }
  return Tone::none;
}

}  // namespace regctl
