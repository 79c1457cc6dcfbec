#include "daemon/proxy/message_head.hpp"

#include <string>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <catch2/catch.hpp>

#include "daemon/proxy/answer_parser.hpp"
#include "tests/support/hop_by_hop_fields.hpp"

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

// The head of `answer` as AnswerParser reads it from a backend.
AnswerHead parsed(const std::string& answer) {
  AnswerHead head;
  AnswerParser parser(head, 64 * 1024, false);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(answer), ec);
  REQUIRE_FALSE(ec);
  REQUIRE(parser.is_header_done());
  return head;
}

std::string relayed(const AnswerHead& head, const RelayedHeadChanges& changes = {}) {
  std::string out;
  append_relayed_answer_head(out, head, changes);
  return out;
}

}  // namespace

TEST_CASE("hop-by-hop headers are not relayed, nor those Connection names", "[message_head]") {
  const AnswerHead head = parsed("HTTP/1.1 200 OK\r\n" + std::string(test::kHopByHopFieldLines) +
                                 "Accept: */*\r\nContent-Type: text/plain\r\n\r\n");
  CHECK(relayed(head) == "HTTP/1.1 200 OK\r\nAccept: */*\r\nContent-Type: text/plain\r\n\r\n");
}

TEST_CASE("Connection cannot take Content-Length away", "[message_head]") {
  const AnswerHead head = parsed("HTTP/1.1 200 OK\r\nConnection: close, Content-Length\r\nContent-Length: 5\r\n\r\n");
  CHECK(relayed(head) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
}

TEST_CASE("a repeated Content-Length goes once, as one plain field", "[message_head]") {
  const std::string single = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: app\r\n\r\n";
  CHECK(relayed(parsed(single)) == single);
  for (const char* fields : {"Content-Length: 5\r\nServer: app\r\nContent-Length: 5\r\n",
                             "Content-Length: 5, 5\r\nServer: app\r\n", "Server: app\r\nContent-Length: 5,5\r\n"}) {
    INFO(fields);
    CHECK(relayed(parsed("HTTP/1.1 200 OK\r\n" + std::string(fields) + "\r\n")) ==
          "HTTP/1.1 200 OK\r\nServer: app\r\nContent-Length: 5\r\n\r\n");
  }
}

TEST_CASE("Connection naming itself or a field before it removes them all", "[message_head]") {
  const AnswerHead head = parsed(
      "HTTP/1.1 204 No Content\r\n"
      "X-Early: 1\r\n"
      "Connection: Connection, x-early, X-Late\r\n"
      "Connection: connection\r\n"
      "X-Late: 2\r\n"
      "Server: app\r\n"
      "\r\n");
  CHECK(relayed(head) == "HTTP/1.1 204 No Content\r\nServer: app\r\n\r\n");
}

TEST_CASE("route headers replace the backend's, and never frame the answer", "[message_head]") {
  const AnswerHead head = parsed(
      "HTTP/1.1 200 OK\r\n"
      "Server: backend/1.0\r\n"
      "server: another\r\n"
      "X-Maintenance-Mode: false\r\n"
      "Content-Type: text/html\r\n"
      "Content-Length: 2\r\n"
      "\r\n");
  const std::vector<std::pair<std::string, std::string>> route_headers{
      {"Server", "regd"}, {"Content-Length", "99"}, {"Transfer-Encoding", "gzip"},
      {"Connection", "close"}, {"X-Maintenance-Mode", "route"}, {"X-Frame-Options", "DENY"}};
  RelayedHeadChanges changes;
  changes.route_headers = &route_headers;
  changes.maintenance_mark = true;
  CHECK(relayed(head, changes) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n"
        "Server: regd\r\nX-Frame-Options: DENY\r\nX-Maintenance-Mode: true\r\n\r\n");
}

TEST_CASE("the proxy's framing and connection fields end the head", "[message_head]") {
  const AnswerHead head = parsed("HTTP/1.0 200 Fine\r\nTransfer-Encoding: chunked\r\nDate: today\r\n\r\n");
  RelayedHeadChanges changes;
  changes.chunked = true;
  changes.connection = "close";
  CHECK(relayed(head, changes) == "HTTP/1.1 200 Fine\r\nDate: today\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");

  const AnswerHead switching =
      parsed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n");
  RelayedHeadChanges upgrade;
  upgrade.upgrade = switching[http::field::upgrade];
  upgrade.connection = "upgrade";
  CHECK(relayed(switching, upgrade) ==
        "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n");
}

TEST_CASE("an answer without a reason phrase gets the standard one", "[message_head]") {
  CHECK(relayed(parsed("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n")) ==
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace reg::proxy
