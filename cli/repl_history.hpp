#pragma once
// The shell's history file, $XDG_STATE_HOME/regctl/history (default
// ~/.local/state/regctl/history): one entry a line, appended as each line is
// entered so that several shells keep all their lines. Mode 0600: entries
// name session ids.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace regctl {

class ReplHistory {
 public:
  // Empty when neither XDG_STATE_HOME nor HOME is set: no history file then.
  static std::filesystem::path default_path();

  explicit ReplHistory(std::filesystem::path path) : path_(std::move(path)) {}

  // The newest entries, oldest first; shortens the file when it has grown
  // well past what is kept.
  std::vector<std::string> load() const;
  // Best effort: a history that cannot be written must not stop the shell.
  void append(const std::string& line) const;

  static constexpr std::size_t kept_entries = 1000;

 private:
  std::filesystem::path path_;
};

// True for a line that would put a secret in the history: an AUTH line (as a
// command or a raw protocol line) or a --token flag.
bool carries_secret(std::string_view line);

}  // namespace regctl
