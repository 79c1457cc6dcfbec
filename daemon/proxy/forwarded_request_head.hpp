#pragma once
// The head of the request a backend gets (PROTOCOL.md §8), written straight
// from the client's parsed request: the client's fields minus what describes
// one hop only, then what the proxy adds so the backend knows who really
// asked. Writing it instead of editing a field container saves an
// allocation per added field and a tree insert or erase per changed one.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/proxy/request_parser.hpp"

namespace reg::proxy {

// What the forwarded head says differently from the client's.
struct ForwardedRequest {
  std::string_view target;         // as the backend must see it
  std::string_view host;           // the Host header for the backend
  std::string_view peer;           // the client's address
  std::string_view original_host;  // the client's Host; empty when it sent none
  std::optional<std::size_t> content_length;  // the body's size, when the request has a body
  bool upgrade = false;  // a websocket handshake keeps Upgrade, with Connection: upgrade
};

// "METHOD target HTTP/1.1\r\n", then the client's fields in order without
// the hop-by-hop ones (RFC 9110 §7.6.1: Connection and every header it
// names, Keep-Alive, Proxy-Connection, Proxy-Authenticate,
// Proxy-Authorization, TE, Trailer, Transfer-Encoding, Upgrade), Expect (the
// body was read whole already) and those replaced below; then, in this
// order: X-Forwarded-For (the client's chains joined, `peer` appended; a
// chain over 8 KiB restarts with `peer`), X-Forwarded-Proto: http,
// X-Forwarded-Host (when there is an original host), X-Real-IP,
// Content-Length, Upgrade and Connection (for an upgrade), Host; then the
// empty line.
void append_forwarded_request_head(std::string& out, const ClientRequest& request,
                                   const ForwardedRequest& forwarded);

}  // namespace reg::proxy
