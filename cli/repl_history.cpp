#include "cli/repl_history.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include "cli/repl_words.hpp"

namespace regctl {
namespace {

std::string lower_case(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

// Replaces the file by the given entries, atomically, so a crash never leaves half a history.
void rewrite(const std::filesystem::path& path, const std::vector<std::string>& entries) {
  const auto temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::string text;
  for (const auto& entry : entries) text += entry + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (written) std::filesystem::rename(temporary, path);
}

}  // namespace

std::filesystem::path ReplHistory::default_path() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state && *state) return std::filesystem::path(state) / "regctl" / "history";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::filesystem::path(home) / ".local" / "state" / "regctl" / "history";
  return {};
}

std::vector<std::string> ReplHistory::load() const {
  std::vector<std::string> entries;
  if (path_.empty()) return entries;
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) entries.push_back(std::move(line));
  if (entries.size() <= kept_entries) return entries;
  // Appending never shortens the file; trimming it now and then keeps it bounded.
  const bool grown = entries.size() > 2 * kept_entries;
  entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(kept_entries));
  if (grown) rewrite(path_, entries);
  return entries;
}

void ReplHistory::append(const std::string& line) const {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::create_directories(path_.parent_path(), ignored);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const std::string entry = line + "\n";
  [[maybe_unused]] const auto written = ::write(fd, entry.data(), entry.size());  // one write: shells do not interleave
  ::close(fd);
}

bool carries_secret(std::string_view line) {
  const std::string lower = lower_case(line);
  if (lower.find("auth|") != std::string::npos) return true;
  auto words = split_shell_words(lower);
  if (!words) return lower.find("auth") != std::string::npos || lower.find("--token") != std::string::npos;
  return std::any_of(words->begin(), words->end(), [](const std::string& word) {
    return word == "auth" || word == "--token" || word.starts_with("--token=");
  });
}

}  // namespace regctl
