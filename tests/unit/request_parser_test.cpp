#include "daemon/proxy/request_parser.hpp"

#include <string>

#include <boost/asio/buffer.hpp>
#include <catch2/catch.hpp>

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

// Parses `text` whole into `request`, body included.
void parse(ClientRequest& request, const std::string& text) {
  RequestParser parser(request);
  parser.header_limit(1 << 20);
  parser.eager(true);
  boost::system::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(text), ec);
  REQUIRE_FALSE(ec);
  CHECK(used == text.size());
  REQUIRE(parser.is_done());
}

}  // namespace

TEST_CASE("a request's line and fields, in the order sent", "[request_parser]") {
  ClientRequest request;
  parse(request,
        "PUT /a/b?c=d HTTP/1.0\r\nHost: shop.example\r\nX-Forwarded-For: 10.0.0.1\r\n"
        "x-forwarded-for: 10.0.0.2\r\nContent-Length: 5\r\n\r\nhello");
  CHECK(request.method() == http::verb::put);
  CHECK(request.method_string() == "PUT");
  CHECK(request.target() == "/a/b?c=d");
  CHECK(request.version() == 10);
  REQUIRE(request.fields().size() == 4);
  CHECK(request.name(request.fields()[1]) == "X-Forwarded-For");
  CHECK(request[http::field::host] == "shop.example");
  CHECK(request[http::field::accept].empty());
  CHECK(request.count(http::field::content_length) == 1);
  CHECK(request.values("X-FORWARDED-FOR") == std::vector<std::string_view>{"10.0.0.1", "10.0.0.2"});
  CHECK(request.body() == "hello");
}

TEST_CASE("a chunked body is joined, and its trailer is not a field of the request", "[request_parser]") {
  ClientRequest request;
  parse(request,
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Checksum: 1\r\n\r\n");
  CHECK(request.body() == "abcde");
  CHECK(request.fields().size() == 2);
  CHECK(request.values("X-Checksum").empty());
}

TEST_CASE("the next request starts from nothing", "[request_parser]") {
  ClientRequest request;
  parse(request, "POST / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(10'000, 'x') + "\r\nContent-Length: 1\r\n\r\nz");
  parse(request, "GET /next HTTP/1.1\r\nHost: b\r\n\r\n");
  CHECK(request.target() == "/next");
  REQUIRE(request.fields().size() == 1);
  CHECK(request[http::field::host] == "b");
  CHECK(request.body().empty());
}

}  // namespace reg::proxy
