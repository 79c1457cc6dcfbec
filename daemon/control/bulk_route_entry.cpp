#include "daemon/control/bulk_route_entry.hpp"

namespace reg::control {

Result<RouteSpec> parse_bulk_route_entry(const nlohmann::json& entry) {
  if (!entry.is_object()) return make_error("expected an object");
  RouteSpec route;
  const auto domains = entry.find("domains");
  if (domains == entry.end()) return make_error("missing domains");
  std::string domain_list;
  if (domains->is_string()) {
    domain_list = domains->get<std::string>();
  } else if (domains->is_array() && !domains->empty()) {
    for (const auto& domain : *domains) {
      if (!domain.is_string()) return make_error("invalid domain: expected strings in domains");
      if (!domain_list.empty()) domain_list += ',';
      domain_list += domain.get<std::string>();
    }
  } else {
    return make_error("invalid domain: domains must be a non-empty array of host names");
  }
  auto parsed_domains = parse_domains(domain_list);
  if (!parsed_domains) return Error{parsed_domains.error()};
  route.domains = std::move(*parsed_domains);

  const auto path = entry.find("path");
  auto parsed_path = parse_path(path != entry.end() && path->is_string() ? path->get<std::string>() : "");
  if (!parsed_path) return Error{parsed_path.error()};
  route.path = std::move(*parsed_path);

  const auto backend = entry.find("backend_url");
  auto parsed_backend = parse_backend_url(backend != entry.end() && backend->is_string() ? backend->get<std::string>() : "");
  if (!parsed_backend) return Error{parsed_backend.error()};
  route.backend = std::move(*parsed_backend);

  if (const auto priority = entry.find("priority"); priority != entry.end()) {
    if (!priority->is_number_integer() || *priority < -1'000'000 || *priority > 1'000'000)
      return make_error("invalid priority: expected an integer from -1000000 to 1000000");
    route.priority = priority->get<std::int64_t>();
  }
  return route;
}

}  // namespace reg::control
