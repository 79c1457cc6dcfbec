#include "daemon/config/config_file.hpp"

#include <algorithm>
#include <fstream>

#include <toml++/toml.h>

#include "daemon/config/setting_table.hpp"

namespace reg::config {
namespace {

// Settings are strings or integers in the file, as their flags' text; a list
// (trusted_proxies) may also be an array of strings.
Result<std::string> value_text(const toml::node& node) {
  if (auto text = node.as_string()) return text->get();
  if (auto number = node.as_integer()) return std::to_string(number->get());
  if (auto array = node.as_array()) {
    std::string joined;
    for (const toml::node& item : *array) {
      if (!item.is_string()) return make_error("expected an array of strings");
      joined += (joined.empty() ? "" : ",") + item.as_string()->get();
    }
    return joined;
  }
  return make_error("expected a string or an integer");
}

}  // namespace

std::string file_error(const std::filesystem::path& path, std::uint32_t line, std::string_view message) {
  return path.string() + ":" + std::to_string(line) + ": " + std::string(message);
}

Result<std::vector<FileSetting>> read_config_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) return make_error("cannot read configuration file " + path.string());
  toml::table root;
  try {
    root = toml::parse(file, path.string());
  } catch (const toml::parse_error& error) {
    return make_error(file_error(path, error.source().begin.line, error.description()));
  }
  // The table is ordered by key; report problems in the order of the file.
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [key, node] : root) entries.emplace_back(&key, &node);
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first->source().begin.line < b.first->source().begin.line; });

  std::vector<FileSetting> settings;
  for (const auto& [key_pointer, node_pointer] : entries) {
    const toml::key& key = *key_pointer;
    const toml::node& node = *node_pointer;
    const std::uint32_t line = key.source().begin.line;
    if (find_setting(key.str()) == nullptr) {
      std::string message = "unknown key '" + std::string(key.str()) + "'";
      if (node.is_table()) message += " (settings are flat keys, not tables)";
      return make_error(file_error(path, line, message));
    }
    auto text = value_text(node);
    if (!text) return make_error(file_error(path, line, std::string(key.str()) + ": " + text.error()));
    settings.push_back({std::string(key.str()), std::move(*text), line});
  }
  return settings;
}

}  // namespace reg::config
