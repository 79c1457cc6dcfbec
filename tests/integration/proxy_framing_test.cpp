// How the proxy frames a backend's answer for the client (PROTOCOL.md §8):
// bodies in chunks, bodies that end when the backend closes, bodies larger
// than one relay buffer, and HEAD answers, for HTTP/1.1 and HTTP/1.0 clients;
// the answers whose framing it refuses; and request heads it refuses or
// answers itself (Host, request-target, Expect).
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <string>

#include "common/client_connection.hpp"
#include "support/control.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/scripted_backend.hpp"

namespace reg::test {
namespace {

using namespace std::chrono_literals;

// One route for f.com to `backend_url`, live while `control` stays open.
void route_to(Control& control, const std::string& backend_url) {
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "f.com", "/", backend_url);
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
}

// Every byte the proxy sends on a raw connection until it closes it.
std::string raw_exchange(const RegdProcess& regd, std::string_view request) {
  auto connection = ClientConnection::connect(regd.proxy(), 5000ms);
  REQUIRE(connection);
  REQUIRE(connection->send_raw(request));
  std::string received;
  for (;;) {
    pollfd readable{connection->native_handle(), POLLIN, 0};
    REQUIRE(::poll(&readable, 1, 5000) == 1);
    char bytes[4096];
    const ssize_t count = ::recv(connection->native_handle(), bytes, sizeof bytes, 0);
    REQUIRE(count >= 0);
    if (count == 0) return received;
    received.append(bytes, static_cast<std::size_t>(count));
  }
}

}  // namespace

TEST_CASE("proxy framing: a Host or request-target outside the grammar gets 400 and reaches no backend") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  route_to(control, backend.url());

  for (const char* host : {"f.com:@evil.example", "f.com:80@evil.com", "f.com:x/../evil", "f.com:<script>",
                           "[f.com]@evil.com", "[f.com"}) {
    INFO("Host: " << host);
    CHECK(http_get(regd.proxy(), host, "/").status == 400);
  }
  for (const char* request_line : {"GET * HTTP/1.1", "GET /a#top HTTP/1.1", "GET http://f.com:@evil.example/ HTTP/1.1"}) {
    INFO(request_line);
    const std::string request = std::string(request_line) + "\r\nHost: f.com\r\nConnection: close\r\n\r\n";
    CHECK(raw_exchange(regd, request).rfind("HTTP/1.1 400 ", 0) == 0);
  }
  CHECK(backend.request_count() == 0);

  CHECK(http_get(regd.proxy(), "f.com:8080", "/").status == 200);
  CHECK(raw_exchange(regd, "OPTIONS * HTTP/1.1\r\nHost: f.com\r\nConnection: close\r\n\r\n").rfind("HTTP/1.1 200 ", 0) ==
        0);
  REQUIRE(backend.last_request());
  CHECK(backend.last_request()->method == "OPTIONS");
}

TEST_CASE("proxy framing: 100 Continue goes to an HTTP/1.1 client that expects it, never to an HTTP/1.0 one") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  route_to(control, backend.url());

  auto waiting = ClientConnection::connect(regd.proxy(), 5000ms);
  REQUIRE(waiting);
  REQUIRE(waiting->send_raw("POST / HTTP/1.1\r\nHost: f.com\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = waiting->read_line(5000ms);
  REQUIRE(interim);
  CHECK(interim->rfind("HTTP/1.1 100 Continue", 0) == 0);

  const std::string answer = raw_exchange(
      regd, "POST / HTTP/1.0\r\nHost: f.com\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc");
  CHECK(answer.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(answer.find(" 100 ") == std::string::npos);
}

TEST_CASE("proxy framing: a chunked answer reaches an HTTP/1.1 client whole, in chunks") {
  RegdProcess regd;
  ScriptedBackend backend(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
      false);
  Control control(regd.control());
  route_to(control, backend.url());

  KeepAliveHttpClient client(regd.proxy());
  for (int i = 0; i < 3; ++i) {
    const auto response = client.get("f.com", "/");
    CHECK(response.status == 200);
    CHECK(response.body == "hello world");
    CHECK(response.header("Transfer-Encoding") == "chunked");
  }
}

TEST_CASE("proxy framing: a Content-Length the backend repeats reaches the client once") {
  RegdProcess regd;
  ScriptedBackend backend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok", false);
  Control control(regd.control());
  route_to(control, backend.url());

  const std::string answer = raw_exchange(regd, "GET / HTTP/1.1\r\nHost: f.com\r\nConnection: close\r\n\r\n");
  CHECK(answer.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(answer.find("\r\nContent-Length: 2\r\n") != std::string::npos);
  CHECK(answer.find("Content-Length") == answer.rfind("Content-Length"));
  CHECK(answer.ends_with("\r\n\r\nok"));
}

TEST_CASE("proxy framing: a body ended by the backend's close is chunked for HTTP/1.1, raw for HTTP/1.0") {
  RegdProcess regd;
  ScriptedBackend backend("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline one\nline two\n", true);
  Control control(regd.control());
  route_to(control, backend.url());

  const auto response = KeepAliveHttpClient(regd.proxy()).get("f.com", "/");
  CHECK(response.status == 200);
  CHECK(response.body == "line one\nline two\n");
  CHECK(response.header("Transfer-Encoding") == "chunked");

  const auto old_client = raw_exchange(regd, "GET / HTTP/1.0\r\nHost: f.com\r\n\r\n");
  CHECK(old_client.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(old_client.find("Transfer-Encoding") == std::string::npos);
  CHECK(old_client.ends_with("\r\n\r\nline one\nline two\n"));
}

TEST_CASE("proxy framing: a body many relay buffers long arrives intact") {
  RegdProcess regd;
  std::string body;
  for (int i = 0; body.size() < 200 * 1024; ++i) body += std::to_string(i) + ",";
  ScriptedBackend backend("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
                          false);
  Control control(regd.control());
  route_to(control, backend.url());

  KeepAliveHttpClient client(regd.proxy());
  for (int i = 0; i < 2; ++i) {
    const auto response = client.get("f.com", "/");
    CHECK(response.status == 200);
    CHECK(response.header("Content-Length") == std::to_string(body.size()));
    CHECK(response.body == body);
  }
}

TEST_CASE("proxy framing: a HEAD answer announces its length and the connection serves on") {
  RegdProcess regd;
  ScriptedBackend backend("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Shape: head\r\n\r\n", false);
  Control control(regd.control());
  route_to(control, backend.url());

  const auto answers = raw_exchange(regd,
                                    "HEAD / HTTP/1.1\r\nHost: f.com\r\n\r\n"
                                    "HEAD /again HTTP/1.1\r\nHost: f.com\r\nConnection: close\r\n\r\n");
  const std::string head_line = "HTTP/1.1 200 OK\r\n";
  const auto second = answers.find(head_line, head_line.size());
  REQUIRE(second != std::string::npos);
  const std::string first_answer = answers.substr(0, second);
  CHECK(first_answer.find("\r\nContent-Length: 5\r\n") != std::string::npos);
  CHECK(first_answer.ends_with("\r\n\r\n"));
  CHECK(answers.substr(second).find("X-Shape: head\r\n") != std::string::npos);
  CHECK(answers.ends_with("\r\n\r\n"));
}

TEST_CASE("proxy framing: pipelined requests are answered in order on one connection") {
  RegdProcess regd;
  HttpBackend backend("A");
  Control control(regd.control());
  route_to(control, backend.url());

  const std::string received = raw_exchange(regd,
                                            "GET /1 HTTP/1.1\r\nHost: f.com\r\n\r\n"
                                            "GET /2 HTTP/1.1\r\nHost: f.com\r\n\r\n"
                                            "GET /3 HTTP/1.1\r\nHost: f.com\r\nConnection: close\r\n\r\n");
  std::size_t answers = 0;
  for (auto at = received.find("HTTP/1.1 200 OK"); at != std::string::npos; at = received.find("HTTP/1.1 200 OK", at + 1))
    ++answers;
  CHECK(answers == 3);
  const auto requests = backend.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].target == "/1");
  CHECK(requests[1].target == "/2");
  CHECK(requests[2].target == "/3");
}

TEST_CASE("proxy framing: an answer the client could read differently is refused with 502") {
  // A folded field, a length beside a transfer coding, and a coding that
  // is not a token could each make the client find the body's end elsewhere.
  const std::string answer = GENERATE(
      std::string("HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\nContent-Length: 2\r\n\r\nok"),
      std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nok"),
      std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: gz(p, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
  CAPTURE(answer);
  RegdProcess regd;
  ScriptedBackend backend(answer, true);
  Control control(regd.control());
  route_to(control, backend.url());

  const auto response = KeepAliveHttpClient(regd.proxy()).get("f.com", "/");
  CHECK(response.status == 502);
  CHECK(response.body.starts_with("bad gateway: the backend sent no valid answer"));
}

}  // namespace reg::test
