#include "daemon/proxy/forwarded_headers.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace reg::proxy {

namespace http = boost::beast::http;

bool always_hop_by_hop(http::field name) {
  switch (name) {
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
      return true;
    default:
      return false;
  }
}

bool connection_may_remove(std::string_view name) { return !boost::beast::iequals(name, "content-length"); }

// What Connection names is erased while the value naming it is still there,
// then Connection itself and the fixed hop-by-hop fields, by the names Beast
// has already recognised rather than a lookup by text for each of nine names.
void remove_hop_by_hop_headers(http::fields& fields) {
  for (const auto& field : fields) {
    if (field.name() != http::field::connection) continue;
    for (const auto token : http::token_list{field.value()}) {
      // Connection itself goes below: erasing it here would free the value being read.
      if (connection_may_remove(token) && !boost::beast::iequals(token, "connection")) fields.erase(token);
    }
  }
  for (auto field = fields.begin(); field != fields.end();) {
    if (field->name() == http::field::connection || always_hop_by_hop(field->name())) {
      field = fields.erase(field);
    } else {
      ++field;
    }
  }
}

std::string backend_host_header(std::string_view original_host, bool preserve_host,
                                 const BackendUrl& backend) {
  if (preserve_host && !original_host.empty()) return std::string(original_host);
  std::string host = backend.host.find(':') == std::string::npos ? backend.host
                                                                  : "[" + backend.host + "]";
  const std::uint16_t default_port = backend.tls() ? 443 : 80;
  if (backend.port != default_port) host += ":" + std::to_string(backend.port);
  return host;
}

void set_response_headers(http::fields& fields,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) fields.set(name, value);
}

}  // namespace reg::proxy
