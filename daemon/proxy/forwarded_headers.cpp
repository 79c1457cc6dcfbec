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

bool connection_removes(std::string_view connection_value, std::string_view name) {
  if (boost::beast::iequals(name, "content-length")) return false;
  for (const auto token : http::token_list{connection_value}) {
    if (boost::beast::iequals(token, name)) return true;
  }
  return false;
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

bool written_by_proxy_only(std::string_view name) {
  const http::field known = http::string_to_field(name);
  return known == http::field::connection || known == http::field::content_length || always_hop_by_hop(known);
}

void set_response_headers(http::fields& fields,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    if (!written_by_proxy_only(name)) fields.set(name, value);
  }
}

}  // namespace reg::proxy
