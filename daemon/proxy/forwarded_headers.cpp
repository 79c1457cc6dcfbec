#include "daemon/proxy/forwarded_headers.hpp"

#include <array>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

constexpr std::array kHopByHopHeaders = {
    std::string_view{"Keep-Alive"},         std::string_view{"Proxy-Connection"},
    std::string_view{"Proxy-Authenticate"}, std::string_view{"Proxy-Authorization"},
    std::string_view{"TE"},                 std::string_view{"Trailer"},
    std::string_view{"Transfer-Encoding"},  std::string_view{"Upgrade"},
};

// A chain longer than this is not a real path of proxies. It is restarted
// from the peer, which also keeps the value under Beast's 64 KiB field limit
// (beyond it, setting the field throws).
constexpr std::size_t kForwardedForLimit = 8 * 1024;

}  // namespace

void remove_hop_by_hop_headers(http::fields& fields) {
  std::vector<std::string> named;
  for (auto range = fields.equal_range(http::field::connection); range.first != range.second;
       ++range.first) {
    for (const auto token : http::token_list{range.first->value()}) {
      if (!boost::beast::iequals(token, "content-length")) named.emplace_back(token);
    }
  }
  for (const std::string& name : named) fields.erase(name);
  fields.erase(http::field::connection);
  for (const std::string_view name : kHopByHopHeaders) fields.erase(name);
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
