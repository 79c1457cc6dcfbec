#include "daemon/proxy/forwarded_headers.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

// The hop-by-hop headers every message loses, Connection aside.
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

// A chain longer than this is not a real path of proxies. It is restarted
// from the peer, which also keeps the value under Beast's 64 KiB field limit
// (beyond it, setting the field throws).
constexpr std::size_t kForwardedForLimit = 8 * 1024;

}  // namespace

// One pass over the fields, by the names Beast has already recognised,
// instead of a lookup by text for each of nine names on every message.
void remove_hop_by_hop_headers(http::fields& fields) {
  std::vector<std::string> named;
  for (auto field = fields.begin(); field != fields.end();) {
    if (field->name() == http::field::connection) {
      for (const auto token : http::token_list{field->value()}) {
        if (!boost::beast::iequals(token, "content-length")) named.emplace_back(token);
      }
      field = fields.erase(field);
    } else if (always_hop_by_hop(field->name())) {
      field = fields.erase(field);
    } else {
      ++field;
    }
  }
  for (const std::string& name : named) fields.erase(name);
}

void add_forwarded_headers(http::fields& fields, std::string_view peer,
                           std::string_view original_host) {
  std::string forwarded_for;
  for (auto range = fields.equal_range("X-Forwarded-For"); range.first != range.second;
       ++range.first) {
    if (range.first->value().empty()) continue;
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += range.first->value();
  }
  if (forwarded_for.size() + peer.size() + 2 > kForwardedForLimit) forwarded_for.clear();
  if (!forwarded_for.empty()) forwarded_for += ", ";
  forwarded_for += peer;
  fields.set("X-Forwarded-For", forwarded_for);
  fields.set("X-Forwarded-Proto", "http");
  if (original_host.empty()) {
    fields.erase("X-Forwarded-Host");
  } else {
    fields.set("X-Forwarded-Host", original_host);
  }
  fields.set("X-Real-IP", peer);
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
