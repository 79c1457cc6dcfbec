#include "cli/repl_words.hpp"

namespace regctl {

reg::Result<std::vector<std::string>> split_shell_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = '\0';
  for (std::size_t index = 0; index < line.size(); ++index) {
    const char c = line[index];
    if (quote == '\'') {
      if (c == '\'') quote = '\0';
      else word += c;
    } else if (quote == '"') {
      // Inside double quotes a backslash escapes only what sh lets it escape.
      if (c == '"') quote = '\0';
      else if (c == '\\' && index + 1 < line.size() && std::string_view("\"\\$`").find(line[index + 1]) != std::string_view::npos)
        word += line[++index];
      else word += c;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      in_word = true;
      if (c == '\'' || c == '"') quote = c;
      else if (c == '\\' && index + 1 < line.size()) word += line[++index];
      else word += c;
    }
  }
  if (quote != '\0') return reg::make_error(std::string("unterminated ") + (quote == '\'' ? "'" : "\"") + " quote");
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace regctl
