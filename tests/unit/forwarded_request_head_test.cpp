#include "daemon/proxy/forwarded_request_head.hpp"

#include <string>
#include <vector>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>

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

http::request_header<> client_get() {
  http::request_header<> request;
  request.method(http::verb::get);
  request.target("/x?y=1");
  return request;
}

// The head as a backend parses it.
http::request_header<> forwarded_head(const http::request_header<>& request,
                                      const ForwardedRequest& forwarded) {
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
  http::request_header<> request = client_get();
  request.method(http::verb::post);
  request.version(10);
  std::string head;
  append_forwarded_request_head(head, request, to_backend());
  CHECK(head.rfind("POST /app/x?y=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
}

TEST_CASE("hop-by-hop headers are not forwarded, with those Connection names", "[forwarded_request_head]") {
  http::request_header<> request = client_get();
  request.insert(http::field::connection, "keep-alive, X-Session-Secret");
  request.insert(http::field::connection, "Upgrade");
  request.insert("X-Session-Secret", "s3cret");
  request.insert(http::field::keep_alive, "timeout=5");
  request.insert("Proxy-Connection", "keep-alive");
  request.insert(http::field::proxy_authorization, "Basic abc");
  request.insert(http::field::proxy_authenticate, "Basic");
  request.insert(http::field::te, "trailers");
  request.insert(http::field::trailer, "Expires");
  request.insert(http::field::transfer_encoding, "chunked");
  request.insert(http::field::upgrade, "websocket");
  request.insert(http::field::expect, "100-continue");
  request.insert(http::field::accept, "*/*");
  request.insert(http::field::host, "shop.example.com");
  request.insert(http::field::content_type, "text/plain");
  ForwardedRequest forwarded = to_backend();
  forwarded.content_length = 5;

  CHECK(names(forwarded_head(request, forwarded)) ==
        std::vector<std::string>{"Accept", "Content-Type", "X-Forwarded-For", "X-Forwarded-Proto",
                                 "X-Forwarded-Host", "X-Real-IP", "Content-Length", "Host"});
}

TEST_CASE("Connection cannot take Content-Length away from a request", "[forwarded_request_head]") {
  http::request_header<> request = client_get();
  request.insert(http::field::connection, "close, Content-Length");
  request.insert(http::field::content_length, "7");
  ForwardedRequest forwarded = to_backend();
  forwarded.content_length = 5;
  const auto head = forwarded_head(request, forwarded);
  CHECK(head.count(http::field::content_length) == 1);
  CHECK(head[http::field::content_length] == "5");
  CHECK(head.count(http::field::connection) == 0);
}

TEST_CASE("a websocket handshake keeps its Upgrade", "[forwarded_request_head]") {
  http::request_header<> request = client_get();
  request.insert(http::field::connection, "keep-alive, Upgrade");
  request.insert(http::field::upgrade, "websocket");
  request.insert(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  ForwardedRequest forwarded = to_backend();
  forwarded.upgrade = true;
  const auto head = forwarded_head(request, forwarded);
  CHECK(head[http::field::upgrade] == "websocket");
  CHECK(head[http::field::connection] == "upgrade");
  CHECK(head.count(http::field::connection) == 1);
  CHECK(head[http::field::sec_websocket_key] == "dGhlIHNhbXBsZSBub25jZQ==");
}

TEST_CASE("the backend gets its own Host", "[forwarded_request_head]") {
  http::request_header<> request = client_get();
  request.insert(http::field::host, "shop.example.com");
  const auto head = forwarded_head(request, to_backend());
  CHECK(head.count(http::field::host) == 1);
  CHECK(head[http::field::host] == "app.internal");
}

TEST_CASE("forwarding headers say who asked", "[forwarded_request_head]") {
  http::request_header<> request = client_get();

  SECTION("a first proxy starts X-Forwarded-For") {
    const auto head = forwarded_head(request, to_backend());
    CHECK(head["X-Forwarded-For"] == "203.0.113.7");
    CHECK(head["X-Forwarded-Proto"] == "http");
    CHECK(head["X-Forwarded-Host"] == "shop.example.com");
    CHECK(head["X-Real-IP"] == "203.0.113.7");
  }
  SECTION("an existing chain is extended, repeated headers joined") {
    request.insert("X-Forwarded-For", "198.51.100.1");
    request.insert("X-Forwarded-For", "");
    request.insert("X-Forwarded-For", "198.51.100.2, 198.51.100.3");
    const auto head = forwarded_head(request, to_backend());
    CHECK(head.count("X-Forwarded-For") == 1);
    CHECK(head["X-Forwarded-For"] == "198.51.100.1, 198.51.100.2, 198.51.100.3, 203.0.113.7");
  }
  SECTION("a chain Connection names is not continued") {
    request.insert(http::field::connection, "X-Forwarded-For");
    request.insert("X-Forwarded-For", "198.51.100.1");
    CHECK(forwarded_head(request, to_backend())["X-Forwarded-For"] == "203.0.113.7");
  }
  SECTION("what the client claims for itself is replaced") {
    request.insert("X-Real-IP", "10.0.0.1");
    request.insert("X-Forwarded-Proto", "https");
    request.insert("X-Forwarded-Host", "evil.example");
    const auto head = forwarded_head(request, to_backend());
    CHECK(head["X-Real-IP"] == "203.0.113.7");
    CHECK(head["X-Forwarded-Proto"] == "http");
    CHECK(head["X-Forwarded-Host"] == "shop.example.com");
    CHECK(head.count("X-Real-IP") == 1);
    CHECK(head.count("X-Forwarded-Proto") == 1);
    CHECK(head.count("X-Forwarded-Host") == 1);
  }
  SECTION("an absurdly long chain restarts from the peer") {
    request.insert("X-Forwarded-For", std::string(60'000, '1'));
    CHECK(forwarded_head(request, to_backend("2001:db8::1"))["X-Forwarded-For"] == "2001:db8::1");
  }
  SECTION("no Host, no X-Forwarded-Host") {
    request.insert("X-Forwarded-Host", "evil.example");
    CHECK(forwarded_head(request, to_backend("203.0.113.7", "")).count("X-Forwarded-Host") == 0);
  }
}

}  // namespace reg::proxy
