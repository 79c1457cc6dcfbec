#pragma once
// A backend's answer fed to AnswerParser as the proxy feeds it: arriving a
// piece at a time into a buffer that keeps what put() did not use, the body
// going through a buffer of a given size. Header-only, for the unit tests
// and the fuzz target alike.
#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "daemon/proxy/answer_parser.hpp"

namespace reg::test {

struct AnswerReading {
  boost::beast::error_code ec;  // the first error that is not need_more or need_buffer
  bool header_done = false;
  bool done = false;
  bool keep_alive = false;
  bool framed_by_length = false;
  std::string body;
};

// Reads `answer` into `head`, `piece` bytes at a time, through a body buffer
// of `body_space` bytes; then the end of the connection when `then_eof`.
inline AnswerReading read_answer_in_pieces(proxy::AnswerHead& head, std::string_view answer, std::size_t piece,
                                           std::size_t body_space, std::size_t header_limit, bool then_eof,
                                           bool to_head_request = false) {
  namespace http = boost::beast::http;
  proxy::AnswerParser parser(head, header_limit, to_head_request);
  AnswerReading reading;
  std::string pending;
  std::string space(body_space, '\0');
  const auto drain = [&] {
    while (!parser.is_done() && !pending.empty()) {
      const bool in_body = parser.is_header_done();
      if (in_body) parser.set_body_buffer(space.data(), space.size());
      boost::beast::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(pending), ec);
      pending.erase(0, used);
      if (in_body) reading.body.append(space.data(), space.size() - parser.body_space_left());
      if (ec == http::error::need_more) return;
      if (ec && ec != http::error::need_buffer) {
        reading.ec = ec;
        return;
      }
      if (used == 0 && ec != http::error::need_buffer) return;
    }
  };
  for (std::size_t at = 0; at < answer.size() && !reading.ec; at += piece) {
    pending.append(answer.substr(at, piece));
    drain();
  }
  if (then_eof && !reading.ec && parser.got_some()) parser.put_eof(reading.ec);
  reading.header_done = parser.is_header_done();
  reading.done = parser.is_done();
  if (reading.header_done) {
    reading.keep_alive = parser.keep_alive();
    reading.framed_by_length = parser.framed_by_length();
  }
  return reading;
}

}  // namespace reg::test
