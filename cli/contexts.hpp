#pragma once
// Named contexts in regctl's config file ($XDG_CONFIG_HOME/regctl/config.toml,
// else ~/.config/regctl/config.toml), switched like kubectl's:
//
//   current-context = "staging"
//   [contexts.staging]
//   server = "10.0.0.1:81"
//   token-file = "/home/me/.regd-token"   # or: token = "..."
//   session = "s12-..."
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace regctl {

struct Context {
  std::string server;
  std::string token_file;
  std::string token;
  std::string session;
};

// What is wrong with `name` as a context name, empty when it is fine. Any
// printable UTF-8 text will do; a control character (tab, line break) would
// make `context list` ambiguous, and TOML keys must be UTF-8.
std::string context_name_problem(std::string_view name);

class ContextFile {
 public:
  // A missing file is an empty one. A file that cannot be parsed throws a
  // usage Failure naming the file, line and column.
  static ContextFile load(const std::filesystem::path& path);
  static std::filesystem::path default_path();

  const std::filesystem::path& path() const { return path_; }
  const std::map<std::string, Context>& contexts() const { return contexts_; }
  const std::string& current_name() const { return current_; }
  const Context* find(const std::string& name) const;
  // The named context; a usage Failure when the file has none by that name.
  const Context& require(const std::string& name) const;

  Context& upsert(const std::string& name) { return contexts_[name]; }
  bool remove(const std::string& name);
  void set_current(const std::string& name) { current_ = name; }

  // Writes the whole file atomically (temporary file, then rename) with mode
  // 0600, since it may hold a token.
  void save() const;

 private:
  std::filesystem::path path_;
  std::map<std::string, Context> contexts_;
  std::string current_;
};

}  // namespace regctl
