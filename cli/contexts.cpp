#include "cli/contexts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <toml++/toml.h>

#include "cli/exit_codes.hpp"

namespace regctl {
namespace {

std::string text_of(const toml::table& table, std::string_view key) {
  return table[key].value_or(std::string());
}

[[noreturn]] void fail_writing(const std::filesystem::path& path, const std::string& what) {
  throw Failure(exit_usage, "cannot write " + path.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

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
  toml::table root;
  if (!current_.empty()) root.insert("current-context", current_);
  toml::table contexts;
  for (const auto& [name, context] : contexts_) {
    toml::table entry;
    const std::pair<const char*, const std::string*> settings[] = {{"server", &context.server},
                                                                   {"token-file", &context.token_file},
                                                                   {"token", &context.token},
                                                                   {"session", &context.session}};
    for (const auto& [key, value] : settings)
      if (!value->empty()) entry.insert(key, *value);
    contexts.insert(name, std::move(entry));
  }
  root.insert("contexts", std::move(contexts));
  std::ostringstream text;
  text << "# regctl contexts; `regctl context set|use` edit this file.\n" << root << "\n";
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
