#pragma once
// Field lines that describe one hop only (RFC 9110 §7.6.1), and one that
// Connection names: the proxy passes none of them on, either way.
#include <string_view>

namespace reg::test {

inline constexpr std::string_view kHopByHopFieldLines =
    "Connection: keep-alive, X-Session-Secret\r\n"
    "Connection: Upgrade\r\n"
    "X-Session-Secret: s3cret\r\n"
    "Keep-Alive: timeout=5\r\n"
    "Proxy-Connection: keep-alive\r\n"
    "Proxy-Authorization: Basic abc\r\n"
    "Proxy-Authenticate: Basic\r\n"
    "TE: trailers\r\n"
    "Trailer: Expires\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Upgrade: websocket\r\n";

}  // namespace reg::test
