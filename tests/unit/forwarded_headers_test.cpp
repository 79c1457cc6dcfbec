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

TEST_CASE("hop-by-hop headers are removed, with those Connection names", "[forwarded_headers]") {
  http::fields fields;
  fields.insert(http::field::connection, "keep-alive, X-Session-Secret");
  fields.insert(http::field::connection, "Upgrade");
  fields.insert("X-Session-Secret", "s3cret");
  fields.insert(http::field::keep_alive, "timeout=5");
  fields.insert("Proxy-Connection", "keep-alive");
  fields.insert(http::field::proxy_authorization, "Basic abc");
  fields.insert(http::field::proxy_authenticate, "Basic");
  fields.insert(http::field::te, "trailers");
  fields.insert(http::field::trailer, "Expires");
  fields.insert(http::field::transfer_encoding, "chunked");
  fields.insert(http::field::upgrade, "websocket");
  fields.insert(http::field::accept, "*/*");
  fields.insert(http::field::content_type, "text/plain");

  remove_hop_by_hop_headers(fields);

  std::vector<std::string> left;
  for (const auto& field : fields) left.emplace_back(field.name_string());
  CHECK(left == std::vector<std::string>{"Accept", "Content-Type"});
}

TEST_CASE("Connection cannot take Content-Length away", "[forwarded_headers]") {
  http::fields fields;
  fields.insert(http::field::connection, "close, Content-Length");
  fields.insert(http::field::content_length, "5");
  remove_hop_by_hop_headers(fields);
  CHECK(fields[http::field::content_length] == "5");
  CHECK(fields.count(http::field::connection) == 0);
}

TEST_CASE("Connection naming itself or a field before it removes them all", "[forwarded_headers]") {
  http::fields fields;
  fields.insert("X-Early", "1");
  fields.insert(http::field::connection, "Connection, x-early, X-Late");
  fields.insert(http::field::connection, "connection");
  fields.insert("X-Late", "2");
  fields.insert(http::field::server, "app");
  remove_hop_by_hop_headers(fields);
  std::vector<std::string> left;
  for (const auto& field : fields) left.emplace_back(field.name_string());
  CHECK(left == std::vector<std::string>{"Server"});
}

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

}  // namespace reg::proxy
