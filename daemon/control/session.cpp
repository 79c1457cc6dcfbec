#include "daemon/control/session.hpp"

namespace reg::control {

std::string route_key(std::string_view domain, std::string_view path) {
  std::string key;
  key.reserve(domain.size() + path.size() + 1);
  key.append(domain).push_back('\0');
  key.append(path);
  return key;
}

SessionConfig& Session::staging(SteadyTime now) {
  if (!staged) staged = active;
  last_staged_at = now;
  return *staged;
}

void Session::rebuild_route_keys() {
  route_keys.clear();
  route_keys.reserve(view().routes.size());
  for (const auto& [number, route] : view().routes) index_route(number, route);
}

void Session::index_route(std::uint64_t number, const RouteSpec& route) {
  for (const auto& domain : route.domains) route_keys[route_key(domain, route.path)] = number;
}

void Session::unindex_route(const RouteSpec& route) {
  for (const auto& domain : route.domains) route_keys.erase(route_key(domain, route.path));
}

std::optional<std::pair<std::uint64_t, std::string>> Session::find_conflict(const RouteSpec& route,
                                                                             std::uint64_t except) const {
  for (const auto& domain : route.domains) {
    auto found = route_keys.find(route_key(domain, route.path));
    if (found != route_keys.end() && found->second != except) return std::pair{found->second, domain + route.path};
  }
  return std::nullopt;
}

}  // namespace reg::control
