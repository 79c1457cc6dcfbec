#pragma once
// Beast's async_read_header without its layers of composed operations, for
// requests from clients and answers from backends alike: parse what is
// buffered, and read more only while the header is incomplete.
#include <cstddef>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace reg::proxy {

// Feeds the buffered bytes to `parser` until its header is complete, it
// needs more bytes (not an error here), or it fails (`ec`). Returns the
// bytes consumed.
template <class Parser, class DynamicBuffer>
std::size_t feed_header(Parser& parser, DynamicBuffer& buffer, boost::beast::error_code& ec) {
  std::size_t consumed = 0;
  ec = {};
  while (!parser.is_header_done() && buffer.size() > 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    consumed += used;
    if (ec == boost::beast::http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) break;
  }
  return consumed;
}

// What the end of the stream means while a header is read, as Beast reports
// it: a header cut short, or no message at all.
template <class Parser>
boost::beast::error_code header_read_outcome(Parser& parser, boost::beast::error_code ec) {
  if (ec != boost::asio::error::eof) return ec;
  if (!parser.got_some()) return boost::beast::http::error::end_of_stream;
  ec = {};
  parser.put_eof(ec);
  return ec;
}

}  // namespace reg::proxy
