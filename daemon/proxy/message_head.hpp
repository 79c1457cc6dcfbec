#pragma once
// HTTP/1.1 heads as text, written straight into a reusable string. Beast's
// serializer walks a buffers_cat_view of every field for each write, which
// was the largest single cost of relaying a small answer; the proxy writes
// head and body itself in one system call instead.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/proxy/answer_parser.hpp"

namespace reg::proxy {

// "name: value\r\n".
void append_field_line(std::string& out, std::string_view name, std::string_view value);

// How the client's copy of a backend's answer head differs from it, besides
// losing the hop-by-hop fields (RFC 9110 §7.6.1): Connection and the fields
// it names, Keep-Alive, Proxy-Connection, Proxy-Authenticate,
// Proxy-Authorization, TE, Trailer, Transfer-Encoding and Upgrade.
// Content-Length stays even when Connection names it: the proxy frames each
// message itself.
struct RelayedHeadChanges {
  // The route's response headers (PROTOCOL.md HEADERS_SET), replacing the
  // backend's fields of the same names; those written_by_proxy_only() are
  // left out.
  const std::vector<std::pair<std::string, std::string>>* route_headers = nullptr;
  bool maintenance_mark = false;  // X-Maintenance-Mode: true, replacing the backend's
  std::string_view upgrade;       // the Upgrade a 101 carries on; empty: none
  bool chunked = false;           // Transfer-Encoding: chunked
  std::string_view connection;    // the Connection to send (close, keep-alive, upgrade); empty: none
};

// "HTTP/1.1 status reason\r\n", the fields the client gets, then the empty line.
void append_relayed_answer_head(std::string& out, const AnswerHead& head, const RelayedHeadChanges& changes);

// The line that opens a chunk of `size` bytes: hex size and CRLF.
void append_chunk_size(std::string& out, std::size_t size);

}  // namespace reg::proxy
