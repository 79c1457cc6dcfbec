#include "cli/progress.hpp"

#include <cmath>
#include <ctime>

#include "common/time_format.hpp"

namespace regctl {
namespace {

constexpr int bar_width = 24;

std::string bar(double fraction) {
  const int filled = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * bar_width));
  std::string text = "[";
  for (int i = 0; i < bar_width; ++i) text += i < filled ? "█" : "░";
  return text + "]";
}

}  // namespace

std::string drain_progress_line(const nlohmann::ordered_json& status, const Palette& palette) {
  const double traffic = status.value("traffic_percent", 100.0);
  const double drained = 100.0 - traffic;
  const bool completed = status.value("completed", false);
  std::string line = palette.paint(bar(drained / 100.0), completed ? Tone::green : Tone::yellow);
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, " %3.0f%% drained  traffic %.0f%%  %.0fs left", drained, traffic,
                status.value("remaining_seconds", 0.0));
  line += numbers;
  if (completed) line += "  " + palette.paint("completed", Tone::green);
  return line;
}

void ProgressReporter::update(const std::string& line, long step) {
  if (terminal_) {
    out_ << "\r\x1b[2K" << line << std::flush;
    drawn_ = true;
  } else if (step != last_step_) {
    out_ << line << '\n' << std::flush;
  }
  last_step_ = step;
}

void ProgressReporter::finish() {
  if (drawn_) out_ << '\n' << std::flush;
  drawn_ = false;
}

void WatchScreen::show(const std::string& frame) {
  const std::string header = title_ + "    " + reg::format_time(reg::SystemClock::now());
  if (terminal_) {
    // Home, clear below: no flicker of a full clear on every refresh.
    out_ << "\x1b[H\x1b[J" << header << "\n\n" << frame << std::flush;
  } else {
    out_ << "--- " << header << '\n' << frame << std::flush;
  }
}

}  // namespace regctl
