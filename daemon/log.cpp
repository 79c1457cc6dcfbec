#include "daemon/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "common/time_format.hpp"

namespace reg::log {
namespace {

std::atomic<Level> current_level{Level::info};

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// One pass over the value: find_first_of searches the whole set for each
// character, and the access log asks this of every field of every request.
bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    switch (c) {
      case ' ': case '=': case '"': case '\t': case '\n': case '\r': return true;
      default: break;
    }
  }
  return false;
}

}  // namespace

void append_value(std::string& line, std::string_view value) {
  if (!needs_quotes(value)) {
    line += value;
    return;
  }
  line += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') line += '\\';
    if (c == '\n') line += "\\n";
    else line += c;
  }
  line += '"';
}

void set_level(Level level) { current_level = level; }

bool parse_level(std::string_view text, Level& level) {
  for (Level candidate : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == level_name(candidate)) {
      level = candidate;
      return true;
    }
  }
  return false;
}

bool enabled(Level level) { return level >= current_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line = "ts=" + format_time(std::chrono::system_clock::now()) + " level=";
  line += level_name(level);
  line += " msg=";
  append_value(line, message);
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    append_value(line, value);
  }
  line += '\n';
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace reg::log
