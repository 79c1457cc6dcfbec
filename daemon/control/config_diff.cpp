#include "daemon/control/config_diff.hpp"

#include <string>

namespace reg::control {
namespace {

struct Summary {
  std::size_t added = 0, removed = 0, modified = 0;
  nlohmann::json json() const { return {{"added", added}, {"removed", removed}, {"modified", modified}}; }
};

// Walks two sorted maps side by side and reports each key that was added,
// removed or changed. `report(op, key, before*, after*)`.
template <class Map, class Report>
void walk(const Map& before, const Map& after, Report report) {
  const typename Map::mapped_type* none = nullptr;
  auto old_it = before.begin();
  auto new_it = after.begin();
  while (old_it != before.end() || new_it != after.end()) {
    if (new_it == after.end() || (old_it != before.end() && old_it->first < new_it->first)) {
      report("remove", old_it->first, &old_it->second, none);
      ++old_it;
    } else if (old_it == before.end() || new_it->first < old_it->first) {
      report("add", new_it->first, none, &new_it->second);
      ++new_it;
    } else {
      if (!(old_it->second == new_it->second)) report("modify", old_it->first, &old_it->second, &new_it->second);
      ++old_it;
      ++new_it;
    }
  }
}

void count(Summary& summary, std::string_view op) {
  if (op == "add") ++summary.added;
  else if (op == "remove") ++summary.removed;
  else ++summary.modified;
}

template <class T, class Render>
nlohmann::json side(const T* value, Render render) {
  return value ? render(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json config_diff(const SessionConfig& active, const SessionConfig& staged) {
  nlohmann::json changes = nlohmann::json::array();
  nlohmann::json added = nlohmann::json::array(), removed = nlohmann::json::array(),
                 modified = nlohmann::json::array();

  walk(active.routes, staged.routes, [&](std::string_view op, std::uint64_t number, const RouteSpec* before,
                                         const RouteSpec* after) {
    const std::string id = format_route_id(number);
    (op == "add" ? added : op == "remove" ? removed : modified).push_back(id);
    const auto render = [number](const RouteSpec& route) { return route_json(number, route); };
    changes.push_back({{"kind", "route"}, {"op", op}, {"id", id}, {"before", side(before, render)},
                       {"after", side(after, render)}});
  });

  Summary headers, options, health, ratelimit, circuit;
  walk(active.headers, staged.headers, [&](std::string_view op, const auto& key, const HeaderValue* before,
                                           const HeaderValue* after) {
    count(headers, op);
    const auto render = [](const HeaderValue& header) { return nlohmann::json(header.value); };
    changes.push_back({{"kind", "header"}, {"op", op}, {"target", format_target(key.first)},
                       {"name", (after ? after : before)->name}, {"before", side(before, render)},
                       {"after", side(after, render)}});
  });
  walk(active.options, staged.options, [&](std::string_view op, const auto& key, const std::string* before,
                                           const std::string* after) {
    count(options, op);
    const auto render = [](const std::string& value) { return nlohmann::json(value); };
    changes.push_back({{"kind", "option"}, {"op", op}, {"target", format_target(key.first)},
                       {"key", key.second}, {"before", side(before, render)}, {"after", side(after, render)}});
  });
  const auto checks = [&](auto& summary, std::string_view kind, const auto& before_map, const auto& after_map,
                          auto render) {
    walk(before_map, after_map, [&](std::string_view op, Target target, const auto* before, const auto* after) {
      count(summary, op);
      changes.push_back({{"kind", kind}, {"op", op}, {"target", format_target(target)},
                         {"before", side(before, render)}, {"after", side(after, render)}});
    });
  };
  checks(health, "health", active.health, staged.health, health_json);
  checks(ratelimit, "ratelimit", active.ratelimits, staged.ratelimits, ratelimit_json);
  checks(circuit, "circuit", active.circuits, staged.circuits, circuit_json);

  return {{"routes", {{"added", added}, {"removed", removed}, {"modified", modified}}},
          {"headers", headers.json()},
          {"options", options.json()},
          {"health", health.json()},
          {"ratelimit", ratelimit.json()},
          {"circuit", circuit.json()},
          {"changes", std::move(changes)}};
}

std::size_t count_changes(const SessionConfig& active, const SessionConfig& staged) {
  std::size_t total = 0;
  const auto tally = [&total](const auto& before, const auto& after) {
    walk(before, after, [&total](std::string_view, const auto&, const auto*, const auto*) { ++total; });
  };
  tally(active.routes, staged.routes);
  tally(active.headers, staged.headers);
  tally(active.options, staged.options);
  tally(active.health, staged.health);
  tally(active.ratelimits, staged.ratelimits);
  tally(active.circuits, staged.circuits);
  return total;
}

}  // namespace reg::control
