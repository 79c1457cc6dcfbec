#include "daemon/proxy/forwarded_request_head.hpp"

#include <string>
#include <vector>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>

#include "daemon/proxy/request_parser.hpp"
#include "tests/support/hop_by_hop_fields.hpp"

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

ForwardedRequest to_backend(std::string_view peer = "203.0.113.7",
                            std::string_view original_host = "shop.example.com") {
  ForwardedRequest forwarded;
  forwarded.target = "/app/x?y=1";
  forwarded.host = "app.internal";
  forwarded.peer = peer;
  forwarded.original_host = original_host;
  return forwarded;
}

// A client's request with these field lines ("Name: value\r\n" each), as
// the proxy parses it.
ClientRequest client_request(const std::string& field_lines = "",
                             const std::string& request_line = "GET /x?y=1 HTTP/1.1") {
  ClientRequest request;
  RequestParser parser(request);
  parser.header_limit(1 << 20);
  const std::string text = request_line + "\r\n" + field_lines + "\r\n";
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(text), ec);
  REQUIRE(!ec);
  REQUIRE(parser.is_header_done());
  return request;
}

// The head as a backend parses it.
http::request_header<> forwarded_head(const ClientRequest& request, const ForwardedRequest& forwarded) {
  std::string head;
  append_forwarded_request_head(head, request, forwarded);
  http::request_parser<http::string_body> parser;
  parser.eager(false);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  REQUIRE(!ec);
  REQUIRE(parser.is_header_done());
  return parser.release().base();
}

std::vector<std::string> names(const http::request_header<>& request) {
  std::vector<std::string> names;
  for (const auto& field : request) names.emplace_back(field.name_string());
  return names;
}

}  // namespace

TEST_CASE("the forwarded request line has the backend's target and HTTP/1.1", "[forwarded_request_head]") {
  const ClientRequest request = client_request("", "POST /x?y=1 HTTP/1.0");
  std::string head;
  append_forwarded_request_head(head, request, to_backend());
  CHECK(head.rfind("POST /app/x?y=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
}

TEST_CASE("hop-by-hop headers are not forwarded, with those Connection names", "[forwarded_request_head]") {
  const ClientRequest request =
      client_request(std::string(test::kHopByHopFieldLines) +
                     "Expect: 100-continue\r\nAccept: */*\r\nHost: shop.example.com\r\nContent-Type: text/plain\r\n");
  ForwardedRequest forwarded = to_backend();
  forwarded.content_length = 5;

  CHECK(names(forwarded_head(request, forwarded)) ==
        std::vector<std::string>{"Accept", "Content-Type", "X-Forwarded-For", "X-Forwarded-Proto",
                                 "X-Forwarded-Host", "X-Real-IP", "Content-Length", "Host"});
}

TEST_CASE("Connection cannot take Content-Length away from a request", "[forwarded_request_head]") {
  const ClientRequest request = client_request("Connection: close, Content-Length\r\nContent-Length: 7\r\n");
  ForwardedRequest forwarded = to_backend();
  forwarded.content_length = 5;
  const auto head = forwarded_head(request, forwarded);
  CHECK(head.count(http::field::content_length) == 1);
  CHECK(head[http::field::content_length] == "5");
  CHECK(head.count(http::field::connection) == 0);
}

TEST_CASE("a websocket handshake keeps its Upgrade", "[forwarded_request_head]") {
  const ClientRequest request = client_request(
      "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
  ForwardedRequest forwarded = to_backend();
  forwarded.upgrade = true;
  const auto head = forwarded_head(request, forwarded);
  CHECK(head[http::field::upgrade] == "websocket");
  CHECK(head[http::field::connection] == "upgrade");
  CHECK(head.count(http::field::connection) == 1);
  CHECK(head[http::field::sec_websocket_key] == "dGhlIHNhbXBsZSBub25jZQ==");
}

TEST_CASE("the backend gets its own Host", "[forwarded_request_head]") {
  const ClientRequest request = client_request("Host: shop.example.com\r\n");
  const auto head = forwarded_head(request, to_backend());
  CHECK(head.count(http::field::host) == 1);
  CHECK(head[http::field::host] == "app.internal");
}

TEST_CASE("forwarding headers say who asked", "[forwarded_request_head]") {
  SECTION("a first proxy starts X-Forwarded-For") {
    const auto head = forwarded_head(client_request(), to_backend());
    CHECK(head["X-Forwarded-For"] == "203.0.113.7");
    CHECK(head["X-Forwarded-Proto"] == "http");
    CHECK(head["X-Forwarded-Host"] == "shop.example.com");
    CHECK(head["X-Real-IP"] == "203.0.113.7");
  }
  SECTION("an existing chain is extended, repeated headers joined") {
    const ClientRequest request = client_request(
        "X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: \r\nX-Forwarded-For: 198.51.100.2, 198.51.100.3\r\n");
    const auto head = forwarded_head(request, to_backend());
    CHECK(head.count("X-Forwarded-For") == 1);
    CHECK(head["X-Forwarded-For"] == "198.51.100.1, 198.51.100.2, 198.51.100.3, 203.0.113.7");
  }
  SECTION("a chain Connection names is not continued") {
    const ClientRequest request = client_request("Connection: X-Forwarded-For\r\nX-Forwarded-For: 198.51.100.1\r\n");
    CHECK(forwarded_head(request, to_backend())["X-Forwarded-For"] == "203.0.113.7");
  }
  SECTION("what the client claims for itself is replaced") {
    const ClientRequest request = client_request(
        "X-Real-IP: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n");
    const auto head = forwarded_head(request, to_backend());
    CHECK(head["X-Real-IP"] == "203.0.113.7");
    CHECK(head["X-Forwarded-Proto"] == "http");
    CHECK(head["X-Forwarded-Host"] == "shop.example.com");
    CHECK(head.count("X-Real-IP") == 1);
    CHECK(head.count("X-Forwarded-Proto") == 1);
    CHECK(head.count("X-Forwarded-Host") == 1);
  }
  SECTION("an absurdly long chain restarts from the peer") {
    const ClientRequest request = client_request("X-Forwarded-For: " + std::string(60'000, '1') + "\r\n");
    CHECK(forwarded_head(request, to_backend("2001:db8::1"))["X-Forwarded-For"] == "2001:db8::1");
  }
  SECTION("no Host, no X-Forwarded-Host") {
    const ClientRequest request = client_request("X-Forwarded-Host: evil.example\r\n");
    CHECK(forwarded_head(request, to_backend("203.0.113.7", "")).count("X-Forwarded-Host") == 0);
  }
}

}  // namespace reg::proxy
