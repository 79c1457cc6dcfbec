#pragma once
// What the proxy checks in a client's request header before routing it.
#include <optional>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "daemon/proxy/request_parser.hpp"

namespace reg::proxy {

// Request smuggling guard (DESIGN.md "Known traps"): Beast 1.74 accepts
// framings that other servers on the path may read differently. The text
// for a 400 answer, or nullopt when the framing is sound.
std::optional<std::string_view> framing_problem(const ClientRequest& request);

// Whether a Host header or an absolute-form target's authority is
// uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2): an IP literal in
// brackets, or a name of letters, digits, "-._~", sub-delims and %XX escapes,
// then digits after a colon. Anything else, "a.com:@evil.example" say, would
// reach the backend as the host it trusts for links and cache keys: a 400.
bool is_valid_host(std::string_view host);

bool asks_for_websocket(const ClientRequest& request);

// Expect: 100-continue from an HTTP/1.1 client; an HTTP/1.0 one cannot read
// an interim answer, so its expectation is ignored (RFC 9110 §10.1.1).
bool expects_continue(const ClientRequest& request);

// The client sent something that is not HTTP, rather than going away.
bool is_malformed_request(const boost::system::error_code& ec);

}  // namespace reg::proxy
