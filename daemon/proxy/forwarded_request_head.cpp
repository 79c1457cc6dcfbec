#include "daemon/proxy/forwarded_request_head.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

#include "daemon/proxy/forwarded_headers.hpp"
#include "daemon/proxy/message_head.hpp"

namespace reg::proxy {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

// A chain longer than this is not a real path of proxies. It is restarted
// from the peer, so a client cannot grow the head past what backends take.
constexpr std::size_t kForwardedForLimit = 8 * 1024;

// Headers the client may not decide: the proxy writes its own.
bool replaced_by_proxy(std::string_view name) {
  return beast::iequals(name, kForwardedFor) || beast::iequals(name, "X-Forwarded-Proto") ||
         beast::iequals(name, "X-Forwarded-Host") || beast::iequals(name, "X-Real-IP");
}

bool always_dropped(http::field name, bool body_reframed) {
  if (always_hop_by_hop(name)) return true;
  switch (name) {
    case http::field::connection:
    case http::field::expect:
    case http::field::host:
      return true;
    case http::field::content_length:
      return body_reframed;
    default:
      return false;
  }
}

// Whether a Connection header of the request removes `name`.
bool named_by_connection(const ClientRequest& request, std::string_view name) {
  return std::any_of(request.fields().begin(), request.fields().end(), [&](const ClientRequest::Field& field) {
    return field.name == http::field::connection && connection_removes(request.value(field), name);
  });
}

}  // namespace

void append_forwarded_request_head(std::string& out, const ClientRequest& request,
                                   const ForwardedRequest& forwarded) {
  out += request.method_string();
  out += ' ';
  out += forwarded.target;
  out += " HTTP/1.1\r\n";

  const bool has_connection = request.count(http::field::connection) > 0;
  const bool body_reframed = forwarded.content_length.has_value();
  std::string_view upgrade;
  bool upgrade_seen = false;
  std::size_t chain_bytes = 0;  // the client's X-Forwarded-For values, joined
  for (const auto& field : request.fields()) {
    const std::string_view name = request.name(field);
    const std::string_view value = request.value(field);
    if (field.name == http::field::upgrade && !upgrade_seen) {
      upgrade = value;
      upgrade_seen = true;
    }
    if (always_dropped(field.name, body_reframed)) continue;
    if (has_connection && named_by_connection(request, name)) continue;
    if (replaced_by_proxy(name)) {
      if (beast::iequals(name, kForwardedFor) && !value.empty()) {
        chain_bytes += (chain_bytes > 0 ? 2 : 0) + value.size();
      }
      continue;
    }
    append_field_line(out, name, value);
  }

  out += kForwardedFor;
  out += ": ";
  if (chain_bytes > 0 && chain_bytes + forwarded.peer.size() + 2 <= kForwardedForLimit &&
      !(has_connection && named_by_connection(request, kForwardedFor))) {
    for (const auto& field : request.fields()) {
      if (field.value_size == 0 || !beast::iequals(request.name(field), kForwardedFor)) continue;
      out += request.value(field);
      out += ", ";
    }
  }
  out += forwarded.peer;
  out += "\r\n";
  append_field_line(out, "X-Forwarded-Proto", "http");
  if (!forwarded.original_host.empty()) append_field_line(out, "X-Forwarded-Host", forwarded.original_host);
  append_field_line(out, "X-Real-IP", forwarded.peer);
  if (forwarded.content_length) append_field_line(out, "Content-Length", std::to_string(*forwarded.content_length));
  if (forwarded.upgrade) {
    append_field_line(out, "Upgrade", upgrade);
    append_field_line(out, "Connection", "upgrade");
  }
  append_field_line(out, "Host", forwarded.host);
  out += "\r\n";
}

}  // namespace reg::proxy
