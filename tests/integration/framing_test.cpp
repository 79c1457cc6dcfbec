// PROTOCOL.md §1: lines, fields, transaction ids, compressed replies, limits.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "support/control.hpp"
#include "support/gunzip_base64.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;
using namespace std::chrono_literals;

using namespace std::string_literals;

const std::string route_add_usage = "ERROR|usage: ROUTE_ADD|session_id|domains|path|backend_url|priority";

// A REGISTER line of exactly `size` bytes, padded inside its metadata.
std::string register_line_of_size(std::size_t size) {
  const std::string head = R"(REGISTER|svc|padded|9000|{"pad":")";
  const std::string tail = R"("})";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

}  // namespace

TEST_CASE("framing: LF and CRLF both end a line") {
  RegdProcess regd;
  Control control(regd.control());

  control.send_raw("PING\n");
  CHECK(control.next_line() == "PONG");
  control.send_raw("PING\r\n");
  CHECK(control.next_line() == "PONG");

  const auto session = control.register_session("svc", "i1");
  control.send_raw("SESSION_INFO|" + session + "\r\n");
  CHECK(reply_json(control.next_line(), "SESSION_OK")["session_id"] == session);
}

TEST_CASE("framing: empty lines get no reply") {
  RegdProcess regd;
  Control control(regd.control());

  control.send_raw("\n\r\n\nPING\n\n\r\nVERSION\n\n");
  CHECK(control.next_line() == "PONG");
  CHECK_THAT(control.next_line(), StartsWith("VERSION_OK|"));
  CHECK_FALSE(control.next_line_within(300ms).has_value());
}

TEST_CASE("framing: too few fields is a usage error") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  CHECK(control.send("ROUTE_ADD|" + session + "|a.com") == route_add_usage);
  CHECK(control.send("SESSION_INFO") == "ERROR|usage: SESSION_INFO|session_id");
  CHECK(control.send("REGISTER|svc|i2") ==
        "ERROR|usage: REGISTER|service_name|instance_name|maintenance_port[|metadata]");
  CHECK(control.send("ROUTE_LIST|" + session) == "ROUTE_LIST_OK|[]");
}

TEST_CASE("framing: more fields than the arity is a usage error") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  CHECK(control.send("SESSION_INFO|" + session + "|extra") == "ERROR|usage: SESSION_INFO|session_id");
  CHECK(control.send("ROUTE_ADD|" + session + "|a.com|/|http://127.0.0.1:9000|0|extra") == route_add_usage);
  CHECK(control.send("VERSION|extra") == "ERROR|usage: VERSION");
  CHECK(control.send("CONFIG_APPLY|" + session + "|now") == "ERROR|usage: CONFIG_APPLY|session_id");
  // Only the documented `compressed` flag may follow the last field.
  CHECK_THAT(control.send("ROUTE_LIST|" + session + "|gzip"),
             StartsWith("ERROR|usage: ROUTE_LIST|session_id"));
  CHECK(control.send("ROUTE_LIST|" + session) == "ROUTE_LIST_OK|[]");
}

TEST_CASE("framing: the free-text last field keeps every '|'") {
  RegdProcess regd;
  Control control(regd.control());

  const auto session = control.register_session("svc", "i1", R"({"lease":"persistent","note":"a|b||c"})");
  const auto info = reply_json(control.send("SESSION_INFO|" + session), "SESSION_OK");
  CHECK(info["metadata"]["note"] == "a|b||c");
  CHECK(info["lease"] == "persistent");

  REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-Choice|a|b") == "HEADERS_OK");
  const auto diff = reply_json(control.send("CONFIG_DIFF|" + session), "DIFF_OK");
  REQUIRE(diff["changes"].size() == 1);
  CHECK(diff["changes"][0]["name"] == "X-Choice");
  CHECK(diff["changes"][0]["after"] == "a|b");
}

TEST_CASE("framing: a transaction id comes back right after the reply code") {
  RegdProcess regd;
  Control control(regd.control());

  const auto version = control.send("VERSION|#7");
  REQUIRE_THAT(version, StartsWith("VERSION_OK|#7|{"));
  CHECK(nlohmann::json::parse(version.substr("VERSION_OK|#7|"s.size()))["protocol"] == 2);

  const auto registered = control.send("REGISTER|#8|svc|i1|9000|{}");
  REQUIRE_THAT(registered, StartsWith("ACK|#8|"));
  const auto session = registered.substr("ACK|#8|"s.size());

  CHECK(control.send("ROUTE_ADD|" + session + "|#42|a.com|/|http://127.0.0.1:9000|0") == "ROUTE_OK|#42|r1");
  CHECK_THAT(control.send("ROUTE_ADD|" + session + "|#43|bad_domain!|/|http://127.0.0.1:9000|0"),
             StartsWith("ERROR|#43|invalid domain"));
  CHECK(control.send("ROUTE_ADD|" + session + "|#44|b.com") ==
        "ERROR|#44|usage: ROUTE_ADD|session_id|domains|path|backend_url|priority");
  CHECK(control.send("SESSION_INFO|nosuch|#45") == "ERROR|#45|session not found");
  CHECK(control.send("CONFIG_APPLY|" + session + "|#46") == "OK|#46");
  CHECK_THAT(control.send("ROUTE_LIST|" + session + "|#47"), StartsWith("ROUTE_LIST_OK|#47|[{"));
  CHECK_THAT(control.send("SESSION_INFO|" + session + "|#48"), StartsWith("SESSION_OK|#48|{"));
}

TEST_CASE("framing: compressed replies carry the same JSON gzipped and base64 encoded") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1", persistent_lease);
  control.add_route(session, "a.com,www.a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  control.add_route(session, "b.com", "/api", "http://127.0.0.1:9001", 5);

  const auto plain = reply_json(control.send("ROUTE_LIST|" + session), "ROUTE_LIST_OK");
  const auto compressed = control.send("ROUTE_LIST|" + session + "|compressed");
  REQUIRE_THAT(compressed, StartsWith("ROUTE_LIST_OK|H4sI"));  // base64 of the gzip magic bytes
  CHECK(nlohmann::json::parse(gunzip_base64(compressed.substr("ROUTE_LIST_OK|"s.size()))) == plain);

  const auto plain_table = reply_json(control.send("ROUTE_TABLE"), "ROUTE_TABLE_OK");
  const auto compressed_table = control.send("ROUTE_TABLE|compressed");
  REQUIRE_THAT(compressed_table, StartsWith("ROUTE_TABLE_OK|"));
  CHECK(nlohmann::json::parse(gunzip_base64(compressed_table.substr("ROUTE_TABLE_OK|"s.size()))) ==
        plain_table);

  const auto sessions = control.send("SESSION_LIST|compressed");
  REQUIRE_THAT(sessions, StartsWith("SESSION_LIST_OK|"));
  const auto listed = nlohmann::json::parse(gunzip_base64(sessions.substr("SESSION_LIST_OK|"s.size())));
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["session_id"] == session);

  const auto with_id = control.send("ROUTE_LIST|" + session + "|#5|compressed");
  REQUIRE_THAT(with_id, StartsWith("ROUTE_LIST_OK|#5|"));
  CHECK(nlohmann::json::parse(gunzip_base64(with_id.substr("ROUTE_LIST_OK|#5|"s.size()))) == plain);
}

TEST_CASE("framing: a line over the limit is refused and the connection keeps working") {
  RegdProcess regd({"--max-line-bytes", "1024"});
  Control control(regd.control());
  const std::string too_long = "ERROR|line too long (limit 1024 bytes)";

  CHECK_THAT(control.send(register_line_of_size(1024)), StartsWith("ACK|"));
  CHECK(control.send(register_line_of_size(1025)) == too_long);
  // The limit counts a CR before the LF.
  control.send_raw(register_line_of_size(1023) + "\r\n");
  CHECK_THAT(control.next_line(), StartsWith("ACK|"));
  control.send_raw(register_line_of_size(1024) + "\r\n");
  CHECK(control.next_line() == too_long);

  // A long line in pieces is one error; the rest of it is discarded, not parsed.
  control.send_raw("PING|" + std::string(40'000, 'x'));
  control.send_raw(std::string(40'000, '|') + "\nPING\n");
  CHECK(control.next_line() == too_long);
  CHECK(control.next_line() == "PONG");
  CHECK(control.send("PING") == "PONG");
}

TEST_CASE("framing: invalid UTF-8 and NUL bytes are refused") {
  RegdProcess regd;
  Control control(regd.control());
  const std::string invalid = "ERROR|invalid encoding";

  control.send_raw("PING|\xff\xfe\n");
  CHECK(control.next_line() == invalid);
  control.send_raw("PI\0NG\n"s);
  CHECK(control.next_line() == invalid);
  control.send_raw("REGISTER|svc|broken|9000|{\"note\":\"\xc3\x28\"}\n");
  CHECK(control.next_line() == invalid);
  control.send_raw("REGISTER|svc|overlong|9000|{\"note\":\"\xc0\xaf\"}\n");
  CHECK(control.next_line() == invalid);
  CHECK(control.send("PING") == "PONG");
  CHECK(control.send("SESSION_LIST") == "SESSION_LIST_OK|[]");

  const auto session = control.register_session("svc", "i1", R"({"note":"café ✓"})");
  CHECK(reply_json(control.send("SESSION_INFO|" + session), "SESSION_OK")["metadata"]["note"] == "café ✓");
}

TEST_CASE("framing: an unknown command is named in the error") {
  RegdProcess regd;
  Control control(regd.control());

  CHECK(control.send("FOO") == "ERROR|unknown command: FOO");
  CHECK(control.send("FOO|a|b") == "ERROR|unknown command: FOO");
  CHECK(control.send("PING") == "PONG");
}

TEST_CASE("framing: 1000 pipelined commands are answered in order") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  std::string batch;
  std::vector<std::string> expected;
  int routes = 0;
  for (int i = 1; i <= 1000; ++i) {
    const std::string id = "#" + std::to_string(i);
    if (i % 100 == 0) {
      batch +=
          "ROUTE_ADD|" + session + "|" + id + "|d" + std::to_string(i) + ".com|/|http://127.0.0.1:9000|0\n";
      expected.push_back("ROUTE_OK|" + id + "|r" + std::to_string(++routes));
    } else if (i % 2 == 0) {
      batch += "CONFIG_VALIDATE|" + session + "|" + id + "\n";
      expected.push_back("OK|" + id);
    } else {
      batch += "DRAIN_STATUS|" + session + "|" + id + "\n";
      expected.push_back("ERROR|" + id + "|no drain in progress");
    }
  }
  control.send_raw(batch);

  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto line = control.next_line();
    INFO("reply " << i + 1);
    REQUIRE(line == expected[i]);
  }
}

}  // namespace reg::test
