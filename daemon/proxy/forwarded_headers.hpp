#pragma once
// Header rewriting between a client and a backend (PROTOCOL.md §8): what a
// proxy must drop from an answer because it describes one hop only, the Host
// a backend gets, and the headers a route sets on answers. The forwarded
// request's head is written whole by forwarded_request_head.hpp.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/fields.hpp>

#include "common/value_parsers.hpp"

namespace reg::proxy {

// The chain of client addresses a request passed through (de facto standard).
inline constexpr std::string_view kForwardedFor = "X-Forwarded-For";

// The hop-by-hop headers every message loses, Connection (and the headers it
// names) aside.
bool always_hop_by_hop(boost::beast::http::field name);

// Whether a Connection header of this value removes the field `name`: it
// names it, and `name` is not Content-Length, since the proxy frames each
// message itself.
bool connection_removes(std::string_view connection_value, std::string_view name);

// The Host header a backend gets: the client's unless `preserve_host` is off
// (or the client sent none), else the backend's host, with its port when
// that is not the scheme's default.
std::string backend_host_header(std::string_view original_host, bool preserve_host,
                                 const BackendUrl& backend);

// Whether only the proxy may write a header of this name on an answer:
// Content-Length, Connection and the other hop-by-hop names frame the
// message or describe one hop, so a route header (HEADERS_SET) with such a
// name would break the answer or be undone by the next hop.
bool written_by_proxy_only(std::string_view name);

// Sets each header on a response, replacing any of the same name; those
// written_by_proxy_only() are left out.
void set_response_headers(boost::beast::http::fields& fields,
                          const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace reg::proxy
