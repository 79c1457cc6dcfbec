#pragma once
// HTTP/1.1 answer heads as text, written straight into a reusable string.
// Beast's serializer walks a buffers_cat_view of every field for each write,
// which was the largest single cost of relaying a small answer; the proxy
// writes head and body itself in one system call instead.
#include <cstddef>
#include <string>

#include <boost/beast/http/message.hpp>

namespace reg::proxy {

// "HTTP/1.x status reason\r\n", each field in order, then the empty line.
void append_response_head(std::string& out, const boost::beast::http::response_header<>& response);

// The line that opens a chunk of `size` bytes: hex size and CRLF.
void append_chunk_size(std::string& out, std::size_t size);

}  // namespace reg::proxy
