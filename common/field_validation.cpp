#include "common/field_validation.hpp"

#include <algorithm>

#include "common/json_nesting.hpp"
#include "common/option_table.hpp"

namespace reg {
namespace {

std::string joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += ", ";
    out += word;
  }
  return out;
}

// "invalid metadata json (nested deeper than 64 levels)"
std::string too_deep(std::string_view what) {
  return "invalid " + std::string(what) + " (nested deeper than " + std::to_string(kMaxJsonDepth) + " levels)";
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    items.emplace_back(text.substr(start, comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

template <class T>
Result<FieldValue> lift(Result<T> parsed) {
  if (!parsed) return Error{parsed.error()};
  return FieldValue(std::move(*parsed));
}

}  // namespace

bool is_maint_target_item(std::string_view item) {
  return parse_route_id(item).ok() || (!item.empty() && item.front() == '/' && parse_path(item).ok()) ||
         parse_domain(item).ok();
}

Result<FieldValue> validate_field(const CommandSpec& command, const FieldSpec& field, std::string_view text) {
  using K = FieldKind;
  switch (field.kind) {
    case K::session_id:
    case K::route_value:
    case K::option_value:
    case K::token:
      return FieldValue(std::string(text));
    case K::service_name:
      return lift(parse_name(text, "service name"));
    case K::instance_name:
      return lift(parse_name(text, "instance name"));
    case K::port:
      return lift(parse_integer(text, 0, 65535, field.name));
    case K::metadata_json: {
      if (text.empty()) return FieldValue(nlohmann::json::object());
      if (json_nests_deeper_than(text, kMaxJsonDepth)) return make_error(too_deep("metadata json"));
      auto json = nlohmann::json::parse(text, nullptr, false);
      if (json.is_discarded() || !json.is_object()) return make_error("invalid metadata json (expected a JSON object)");
      return FieldValue(std::move(json));
    }
    case K::json_array: {
      if (json_nests_deeper_than(text, kMaxJsonDepth)) return make_error(too_deep("json"));
      auto json = nlohmann::json::parse(text, nullptr, false);
      if (json.is_discarded()) return make_error("invalid json: could not parse the array");
      if (!json.is_array()) return make_error("invalid json: expected an array");
      return FieldValue(std::move(json));
    }
    case K::domains:
      return lift(parse_domains(text));
    case K::path:
      return lift(parse_path(text));
    case K::backend_url:
      return lift(parse_backend_url(text));
    case K::optional_backend_url:
      if (text.empty()) return FieldValue(std::monostate{});
      return lift(parse_backend_url(text));
    case K::priority:
      return lift(parse_priority(text));
    case K::route_id:
      return lift(parse_route_id(text));
    case K::target:
      if (text == "ALL") return FieldValue(std::string(text));
      if (!parse_route_id(text)) return make_error("route not found: " + std::string(text));
      return FieldValue(std::string(text));
    case K::maint_target: {
      if (text == "ALL") return FieldValue(std::vector<std::string>{"ALL"});
      auto items = split_commas(text);
      for (auto& item : items) {
        if (!is_maint_target_item(item))
          return make_error("invalid target: " + item + " (expected ALL, or route ids, paths and domains)");
        if (item.front() != '/' && !parse_route_id(item)) item = *parse_domain(item);
      }
      return FieldValue(std::move(items));
    }
    case K::route_field:
      if (text == "backend_url" || text == "priority" || text == "domains" || text == "path")
        return FieldValue(std::string(text));
      return make_error("invalid field: " + std::string(text) + " (expected backend_url, priority, domains or path)");
    case K::header_name: {
      auto checked = check_header_name(text);
      if (!checked) return Error{checked.error()};
      return FieldValue(std::string(text));
    }
    case K::header_value: {
      auto checked = check_header_value(text);
      if (!checked) return Error{checked.error()};
      return FieldValue(std::string(text));
    }
    case K::option_key: {
      if (find_option(text)) return FieldValue(std::string(text));
      std::vector<std::string_view> keys;
      for (const auto& spec : option_table()) keys.push_back(spec.key);
      return make_error("invalid option: unknown key " + std::string(text) + " (known: " + joined(keys) + ")");
    }
    case K::duration: {
      auto duration = parse_positive_duration(text);
      if (!duration) return Error{duration.error()};
      return FieldValue(*duration);
    }
    case K::count:
      return lift(parse_integer(text, 1, 1'000'000'000, field.name));
    case K::event_type: {
      const auto& types = event_types();
      if (std::find(types.begin(), types.end(), text) != types.end()) return FieldValue(std::string(text));
      return make_error(command.usage() + " (one of: " + joined(types) + ")");
    }
    case K::apply_scope: {
      auto items = split_commas(text);
      const auto& scopes = apply_scopes();
      for (const auto& item : items) {
        if (std::find(scopes.begin(), scopes.end(), item) == scopes.end())
          return make_error("invalid scope: " + item + " (expected a comma list of " + joined(scopes) + ")");
      }
      return FieldValue(std::move(items));
    }
  }
  return make_error(command.usage());
}

}  // namespace reg
