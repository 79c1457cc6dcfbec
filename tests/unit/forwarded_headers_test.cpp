#include "daemon/proxy/forwarded_headers.hpp"

#include <catch2/catch.hpp>

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

BackendUrl backend(std::string scheme, std::string host, std::uint16_t port) {
  BackendUrl url;
  url.scheme = std::move(scheme);
  url.host = std::move(host);
  url.port = port;
  return url;
}

}  // namespace

TEST_CASE("the Host a backend gets", "[forwarded_headers]") {
  const BackendUrl plain = backend("http", "app.internal", 80);
  CHECK(backend_host_header("shop.example.com:8080", true, plain) == "shop.example.com:8080");
  CHECK(backend_host_header("shop.example.com", false, plain) == "app.internal");
  CHECK(backend_host_header("", true, plain) == "app.internal");
  CHECK(backend_host_header("x", false, backend("http", "10.0.0.5", 8080)) == "10.0.0.5:8080");
  CHECK(backend_host_header("x", false, backend("https", "app.internal", 443)) == "app.internal");
  CHECK(backend_host_header("x", false, backend("ws", "::1", 9000)) == "[::1]:9000");
}

TEST_CASE("route response headers replace the backend's", "[forwarded_headers]") {
  http::fields fields;
  fields.insert(http::field::server, "backend/1.0");
  fields.insert(http::field::server, "another");
  fields.insert(http::field::content_type, "text/html");
  set_response_headers(fields, {{"Server", "regd"}, {"X-Frame-Options", "DENY"}});
  CHECK(fields.count(http::field::server) == 1);
  CHECK(fields[http::field::server] == "regd");
  CHECK(fields["X-Frame-Options"] == "DENY");
  CHECK(fields[http::field::content_type] == "text/html");
}

TEST_CASE("route headers never frame an answer nor describe a hop", "[forwarded_headers]") {
  http::fields fields;
  fields.insert(http::field::content_length, "2");
  set_response_headers(fields, {{"content-length", "99"}, {"Transfer-Encoding", "gzip"}, {"Connection", "close"},
                                {"Keep-Alive", "timeout=1"}, {"X-Frame-Options", "DENY"}});
  CHECK(fields[http::field::content_length] == "2");
  CHECK(fields.count(http::field::transfer_encoding) == 0);
  CHECK(fields.count(http::field::connection) == 0);
  CHECK(fields.count(http::field::keep_alive) == 0);
  CHECK(fields["X-Frame-Options"] == "DENY");
}

}  // namespace reg::proxy
