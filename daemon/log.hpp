#pragma once
// Structured logs: one logfmt line per event on stderr
// (`ts=… level=info msg="…" key=value`), written with a single write() so
// lines from different threads never interleave.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace reg::log {

enum class Level { debug, info, warn, error };

void set_level(Level level);
bool parse_level(std::string_view text, Level& level);
bool enabled(Level level);

using Field = std::pair<std::string_view, std::string>;
// Appends `value` as a logfmt value: bare when it can be, else quoted with
// `"` and `\` escaped and line breaks as \n. The access log uses it too.
void append_value(std::string& line, std::string_view value);

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void info(std::string_view message, std::initializer_list<Field> fields = {}) {
  write(Level::info, message, fields);
}
inline void warn(std::string_view message, std::initializer_list<Field> fields = {}) {
  write(Level::warn, message, fields);
}
inline void error(std::string_view message, std::initializer_list<Field> fields = {}) {
  write(Level::error, message, fields);
}
inline void debug(std::string_view message, std::initializer_list<Field> fields = {}) {
  write(Level::debug, message, fields);
}

}  // namespace reg::log
