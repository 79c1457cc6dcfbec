#pragma once
// Progress while regctl waits (drain start --wait, maint --wait) and screens
// that refresh in place (--watch). Progress goes to stderr, so stdout keeps
// only the result: a bar redrawn in place on a terminal, otherwise one line
// per step that a CI log can show.
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/colour.hpp"

namespace regctl {

// "[██████░░░░░░]  50% drained  traffic 50%  5s left" from DRAIN_STATUS's JSON.
std::string drain_progress_line(const nlohmann::ordered_json& status, const Palette& palette);

class ProgressReporter {
 public:
  ProgressReporter(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  ~ProgressReporter() { finish(); }

  // Shows `line`. On a terminal it replaces the previous one; otherwise it is
  // printed when its `step` differs from the last one printed.
  void update(const std::string& line, long step);
  // Ends the in-place line so what follows starts on a fresh one.
  void finish();

 private:
  std::ostream& out_;
  bool terminal_;
  bool drawn_ = false;
  long last_step_ = -1;
};

// A --watch screen: on a terminal each frame replaces the last (ANSI), else
// frames are appended with a timestamped header line.
class WatchScreen {
 public:
  WatchScreen(std::ostream& out, bool terminal, std::string title) : out_(out), terminal_(terminal), title_(std::move(title)) {}
  void show(const std::string& frame);

 private:
  std::ostream& out_;
  bool terminal_;
  std::string title_;
};

}  // namespace regctl
