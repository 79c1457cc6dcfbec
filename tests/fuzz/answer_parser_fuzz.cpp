// The proxy's parser of backend answers on arbitrary bytes, checked three
// ways: it never misbehaves (the sanitizers), the bytes arriving in pieces
// of any size give what they give arriving at once, and a head it accepts
// Beast's parser (the one it replaced) accepts too, with the same status,
// fields and framing, and the same body when both read one.
//
// Input: one byte choosing the piece size and the body buffer's, then the answer.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "daemon/proxy/answer_parser.hpp"
#include "tests/support/answer_reading.hpp"

namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;

constexpr std::size_t kHeaderLimit = 8192;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// What the proxy's parser made of an answer, and Beast's: the unit tests'
// reading, with the status and fields to compare.
struct Reading : reg::test::AnswerReading {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> fields;

  // Which error is not compared: an answer that breaks off early may end
  // with its first error when read at once, and as cut short when read in
  // pieces (a head is checked line by line only once it is all there).
  bool same_as(const Reading& other) const {
    return static_cast<bool>(ec) == static_cast<bool>(other.ec) && header_done == other.header_done &&
           done == other.done && keep_alive == other.keep_alive && framed_by_length == other.framed_by_length &&
           status == other.status && fields == other.fields && body == other.body;
  }
};

// `answer` through the proxy's parser, `piece` bytes at a time, with a body
// buffer of `space` bytes, then the end of the connection.
Reading read_with_answer_parser(std::string_view answer, std::size_t piece, std::size_t space) {
  reg::proxy::AnswerHead head;
  Reading reading{reg::test::read_answer_in_pieces(head, answer, piece, space, kHeaderLimit, true)};
  if (reading.header_done) {
    reading.status = head.status();
    for (const auto& field : head.fields()) reading.fields.emplace_back(head.name(field), head.value(field));
  }
  return reading;
}

// Beast's parser, keeping what the proxy's keeps.
class BeastReader final : public http::basic_parser<false> {
 public:
  Reading reading;

 private:
  void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int, error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int, error_code&) override { reading.status = code; }
  void on_field_impl(http::field, boost::beast::string_view name, boost::beast::string_view value,
                     error_code&) override {
    if (!is_header_done()) reading.fields.emplace_back(name, value);
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    reading.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    reading.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}
};

Reading read_with_beast(std::string_view answer) {
  BeastReader parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.eager(true);
  std::string pending(answer);
  while (!parser.is_done() && !pending.empty()) {
    error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (ec == http::error::need_more) break;
    if (ec) {
      parser.reading.ec = ec;
      break;
    }
    if (used == 0) break;
  }
  if (!parser.reading.ec && parser.got_some()) parser.put_eof(parser.reading.ec);
  parser.reading.header_done = parser.is_header_done();
  parser.reading.done = parser.is_done();
  return parser.reading;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 16;
  const std::size_t space = 1 + data[0] / 16;
  const std::string_view answer(reinterpret_cast<const char*>(data + 1), size - 1);

  const Reading at_once = read_with_answer_parser(answer, answer.size() + 1, 16 * 1024);
  const Reading in_pieces = read_with_answer_parser(answer, piece, space);
  require(in_pieces.same_as(at_once));

  if (!at_once.header_done) return 0;
  const Reading beast = read_with_beast(answer);
  require(beast.header_done);
  require(beast.status == at_once.status);
  require(beast.fields == at_once.fields);
  if (at_once.done && !at_once.ec && beast.done && !beast.ec) {
    require(beast.body == at_once.body);
  }
  return 0;
}
