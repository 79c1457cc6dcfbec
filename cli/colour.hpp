#pragma once
// ANSI styles, and the meaning regctl gives them: green is good or added,
// yellow is in between (staged, half open, modified), red is bad or removed.
#include <string>
#include <string_view>

namespace regctl {

enum class Tone { none, bold, dim, green, yellow, red, cyan };

class Palette {
 public:
  explicit Palette(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  std::string paint(std::string_view text, Tone tone) const;

 private:
  bool enabled_;
};

// The tone of a state word the server reports: route status (active, staged,
// pending_removal), circuit state, health, yes/no flags.
Tone tone_of_state(std::string_view state);

}  // namespace regctl
