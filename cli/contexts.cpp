#include "cli/contexts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <toml++/toml.h>

#include "cli/exit_codes.hpp"
#include "common/line_codec.hpp"

namespace regctl {
namespace {

std::string text_of(const toml::table& table, std::string_view key) {
  return table[key].value_or(std::string());
}

// Every string as a basic string ("...", escaped): toml++ 3.3 writes a
// literal string ('...') with a raw line break when multi-line strings are
// off, and a multi-line literal loses a line break it starts with.
constexpr auto escaped_strings = toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings &
                                 ~toml::format_flags::allow_multi_line_strings;

// toml++ 3.3 writes a key bare when its only non-bare characters are ', tab
// or a line break ([contexts.bob's]), which its own parser then refuses; so a
// name is written bare only when it plainly is a bare key, else as a TOML
// string, which is always a valid key.
std::string table_key(const std::string& name) {
  const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (bare) return name;
  std::ostringstream quoted;
  quoted << toml::toml_formatter{toml::value<std::string>{name}, escaped_strings};
  return quoted.str();
}

[[noreturn]] void fail_writing(const std::filesystem::path& path, const std::string& what) {
  throw Failure(exit_usage, "cannot write " + path.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

std::string context_name_problem(std::string_view name) {
  if (name.empty()) return "a context name may not be empty";
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
  if (control || !reg::is_valid_encoding(name)) {
    return "a context name must be printable UTF-8 text, without tabs, line breaks or other control characters";
  }
  return "";
}

std::filesystem::path ContextFile::default_path() {
  const char* config_home = std::getenv("XDG_CONFIG_HOME");
  std::filesystem::path base;
  if (config_home && *config_home) {
    base = config_home;
  } else {
    const char* home = std::getenv("HOME");
    base = std::filesystem::path(home && *home ? home : ".") / ".config";
  }
  return base / "regctl" / "config.toml";
}

ContextFile ContextFile::load(const std::filesystem::path& path) {
  ContextFile file;
  file.path_ = path;
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) return file;

  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw Failure(exit_usage, path.string() + ":" + std::to_string(where.line) + ":" +
                                  std::to_string(where.column) + ": " + std::string(error.description()));
  }
  file.current_ = text_of(root, "current-context");
  if (const auto* contexts = root["contexts"].as_table()) {
    for (const auto& [name, node] : *contexts) {
      const auto* table = node.as_table();
      if (!table) continue;
      file.contexts_[std::string(name.str())] = Context{text_of(*table, "server"), text_of(*table, "token-file"),
                                                        text_of(*table, "token"), text_of(*table, "session")};
    }
  }
  return file;
}

const Context* ContextFile::find(const std::string& name) const {
  const auto found = contexts_.find(name);
  return found == contexts_.end() ? nullptr : &found->second;
}

const Context& ContextFile::require(const std::string& name) const {
  if (const auto* context = find(name)) return *context;
  throw Failure(exit_usage, "no context named \"" + name + "\" in " + path_.string() + " (see `regctl context list`)");
}

bool ContextFile::remove(const std::string& name) {
  if (contexts_.erase(name) == 0) return false;
  if (current_ == name) current_.clear();
  return true;
}

void ContextFile::save() const {
  std::ostringstream text;
  text << "# regctl contexts; `regctl context set|use` edit this file.\n";
  if (!current_.empty()) {
    text << toml::toml_formatter{toml::table{{"current-context", current_}}, escaped_strings} << "\n";
  }
  for (const auto& [name, context] : contexts_) {
    toml::table entry;
    const std::pair<const char*, const std::string*> settings[] = {{"server", &context.server},
                                                                   {"token-file", &context.token_file},
                                                                   {"token", &context.token},
                                                                   {"session", &context.session}};
    for (const auto& [key, value] : settings)
      if (!value->empty()) entry.insert(key, *value);
    text << "\n[contexts." << table_key(name) << "]\n";
    if (!entry.empty()) text << toml::toml_formatter{entry, escaped_strings} << "\n";
  }
  const std::string content = text.str();

  const auto directory = path_.parent_path();
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  std::string temporary = (directory / ".config.toml.XXXXXX").string();
  const int fd = ::mkstemp(temporary.data());  // created with mode 0600
  if (fd < 0) fail_writing(path_, "cannot create a temporary file");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t count = ::write(fd, content.data() + written, content.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      ::close(fd);
      ::unlink(temporary.c_str());
      fail_writing(path_, "write failed");
    }
    written += static_cast<std::size_t>(count);
  }
  // A crash must leave either the old file or the new one, never half of it.
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(temporary.c_str(), path_.c_str()) != 0) {
    ::unlink(temporary.c_str());
    fail_writing(path_, "cannot replace it");
  }
}

}  // namespace regctl
