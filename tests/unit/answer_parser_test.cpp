#include "daemon/proxy/answer_parser.hpp"

#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>

#include "tests/support/answer_reading.hpp"

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;

constexpr std::size_t kHeaderLimit = 1024;

using Outcome = test::AnswerReading;

// `answer` read as the proxy reads it (test::read_answer_in_pieces), with a
// body buffer of 7 bytes unless told.
Outcome read_answer(AnswerHead& head, const std::string& answer, std::size_t step, std::size_t body_space = 7,
                    bool then_eof = false, bool to_head_request = false) {
  return test::read_answer_in_pieces(head, answer, step, body_space, kHeaderLimit, then_eof, to_head_request);
}

Outcome read_answer(const std::string& answer, std::size_t step = 4096) {
  AnswerHead head;
  return read_answer(head, answer, step);
}

}  // namespace

TEST_CASE("an answer's head is taken whole, once all of it has come", "[answer_parser]") {
  AnswerHead head;
  AnswerParser parser(head, kHeaderLimit, false);
  const std::string answer = "HTTP/1.1 200 OK\r\nServer:app\r\nX-Note: \t spaced out \t\r\n\r\n";
  error_code ec;
  CHECK(parser.put(boost::asio::buffer(answer.data(), answer.size() - 1), ec) == 0);
  CHECK(ec == http::error::need_more);
  CHECK(parser.got_some());
  CHECK_FALSE(parser.is_header_done());
  CHECK(parser.put(boost::asio::buffer(answer), ec) == answer.size());
  CHECK_FALSE(ec);
  REQUIRE(parser.is_header_done());
  CHECK(head.status() == 200);
  CHECK(head.reason() == "OK");
  REQUIRE(head.fields().size() == 2);
  CHECK(head.name(head.fields()[0]) == "Server");
  CHECK(head.value(head.fields()[0]) == "app");
  CHECK(head.name(head.fields()[1]) == "X-Note");
  CHECK(head.value(head.fields()[1]) == "spaced out");
  CHECK(head.lines(head.fields()[1].line_at, head.fields()[1].line_end - head.fields()[1].line_at) ==
        "X-Note: \t spaced out \t\r\n");
}

TEST_CASE("a body framed by its length comes out the same however it arrives", "[answer_parser]") {
  const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
  for (std::size_t step = 1; step <= answer.size(); ++step) {
    CAPTURE(step);
    const Outcome outcome = read_answer(answer, step);
    CHECK_FALSE(outcome.ec);
    CHECK(outcome.done);
    CHECK(outcome.keep_alive);
    CHECK(outcome.body == "hello world");
  }
}

TEST_CASE("chunks are joined, their extensions and trailers dropped, however they arrive", "[answer_parser]") {
  const std::string answer =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
      "5\r\nhello\r\n"
      "1;name=value\r\n \r\n"
      "00000010 ; a\r\n0123456789abcdef\r\n"
      "0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n";
  for (std::size_t step = 1; step <= answer.size(); ++step) {
    CAPTURE(step);
    const Outcome outcome = read_answer(answer, step);
    CHECK_FALSE(outcome.ec);
    CHECK(outcome.done);
    CHECK(outcome.body == "hello 0123456789abcdef");
  }
  const Outcome without_trailer = read_answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
  CHECK(without_trailer.done);
  CHECK(without_trailer.body == "ok");
}

TEST_CASE("without a length or chunks the body ends with the connection", "[answer_parser]") {
  AnswerHead head;
  const std::string answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nall of it";
  const Outcome open = read_answer(head, answer, 3);
  CHECK_FALSE(open.ec);
  CHECK_FALSE(open.done);
  CHECK(open.body == "all of it");
  const Outcome closed = read_answer(head, answer, 3, 7, true);
  CHECK_FALSE(closed.ec);
  CHECK(closed.done);
  CHECK_FALSE(closed.keep_alive);
}

TEST_CASE("HEAD, 1xx, 204 and 304 answers have no body whatever they announce", "[answer_parser]") {
  AnswerHead head;
  CHECK(read_answer(head, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 64, 7, false, true).done);
  for (const std::string status : {"100 Continue", "204 No Content", "304 Not Modified"}) {
    CAPTURE(status);
    const Outcome outcome = read_answer("HTTP/1.1 " + status + "\r\nTransfer-Encoding: chunked\r\n\r\n");
    CHECK(outcome.done);
    CHECK(outcome.body.empty());
  }
  CHECK(read_answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").done);
}

TEST_CASE("whether the backend connection can be kept", "[answer_parser]") {
  CHECK(read_answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  CHECK_FALSE(read_answer("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  CHECK_FALSE(read_answer("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  CHECK(read_answer("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
  CHECK(read_answer("HTTP/1.0 200 OK\r\nProxy-Connection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
}

TEST_CASE("the fields the proxy acts on are known by name in any case", "[answer_parser]") {
  AnswerHead head;
  read_answer(head, "HTTP/1.1 101 Switching\r\nUPGRADE: websocket\r\nconnection: a, Upgrade\r\nX: y\r\n\r\n", 64);
  CHECK(head[http::field::upgrade] == "websocket");
  CHECK(head[http::field::connection] == "a, Upgrade");
  CHECK(head.fields()[2].name == http::field::unknown);
  CHECK(head.connection_lists("upgrade"));
  CHECK(head.connection_lists("A"));
  CHECK_FALSE(head.connection_lists("x"));
}

TEST_CASE("a malformed answer is refused with Beast's error", "[answer_parser]") {
  const auto error_of = [](const std::string& answer) { return read_answer(answer).ec; };
  CHECK(error_of("HTTP/1.1 200 OK\r\nX-Long: a\r\n  folded\r\n\r\n") == http::error::bad_value);
  CHECK(error_of("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n") == http::error::bad_value);
  CHECK(error_of("HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n") == http::error::bad_value);
  CHECK(error_of("HTTP/1.1 200 OK\nX: a\r\n\r\n") == http::error::bad_reason);
  CHECK(error_of("HTTP/1.1 200 OK\r\nBad Name: a\r\n\r\n") == http::error::bad_field);
  CHECK(error_of("HTTP/1.1 200 OK\r\n: a\r\n\r\n") == http::error::bad_field);
  CHECK(error_of("HTTQ/1.1 200 OK\r\n\r\n") == http::error::bad_version);
  CHECK(error_of("HTTP/1.1 20x OK\r\n\r\n") == http::error::bad_status);
  CHECK(error_of("HTTP/1.1 200\r\n\r\n") == http::error::bad_status);
  CHECK(error_of("HTTP/1.1 200 OK\r\nConnection: a b\r\n\r\n") == http::error::bad_value);
  CHECK(error_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n") ==
        http::error::bad_content_length);
  CHECK(error_of("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello") == error_code{});
  CHECK(error_of("HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n") == http::error::bad_content_length);
  CHECK(error_of("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n") ==
        http::error::bad_content_length);
  CHECK(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n") ==
        http::error::bad_content_length);
  CHECK(error_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n") ==
        http::error::bad_transfer_encoding);
  CHECK(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gz(p, chunked\r\n\r\n") == http::error::bad_transfer_encoding);
  CHECK(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n") ==
        http::error::bad_transfer_encoding);
  CHECK(error_of("HTTP/2.0 200 OK\r\n\r\n") == http::error::bad_version);
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  CHECK(error_of(chunked + "x\r\n") == http::error::bad_chunk);
  CHECK(error_of(chunked + "10000000000000000\r\n") == http::error::bad_chunk);
  CHECK(error_of(chunked + "2\r\nokay\r\n") == http::error::bad_chunk);
  CHECK(error_of(chunked + "2\nok\r\n") == http::error::bad_chunk);
  CHECK(error_of(chunked + "0\r\nno colon\r\n\r\n") == http::error::bad_chunk);
  CHECK(error_of(chunked + std::string(5000, '1')) == http::error::bad_chunk);
}

TEST_CASE("a head beyond the limit is refused, arrived whole or not", "[answer_parser]") {
  const std::string fields(kHeaderLimit, 'a');
  CHECK(read_answer("HTTP/1.1 200 OK\r\nX: " + fields + "\r\n\r\n").ec == http::error::header_limit);
  CHECK(read_answer("HTTP/1.1 200 OK\r\nX: " + fields).ec == http::error::header_limit);
  CHECK(read_answer("HTTP/1.1 200 OK\r\nX: " + fields.substr(0, 900) + "\r\n\r\n", 1).ec == error_code{});
}

TEST_CASE("an answer cut short is a partial message", "[answer_parser]") {
  AnswerHead head;
  CHECK(read_answer(head, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 64, 7, true).ec ==
        http::error::partial_message);
  CHECK(read_answer(head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 64, 7, true).ec ==
        http::error::partial_message);
  CHECK(read_answer(head, "HTTP/1.1 200 OK\r\nContent-", 64, 7, true).ec == http::error::partial_message);
}

}  // namespace reg::proxy
