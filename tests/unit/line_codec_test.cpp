#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/line_codec.hpp"
#include "unit_helpers.hpp"

using reg::LineFramer;
using reg::ParseStatus;
using unit::parse_line;

namespace {

constexpr std::string_view kTooLong = "<too long>";

// Hands `bytes` to the framer the way the server does: prepare, copy, commit.
void feed(LineFramer& framer, std::string_view bytes) {
  char* space = framer.prepare(bytes.size());
  std::memcpy(space, bytes.data(), bytes.size());
  framer.commit(bytes.size());
}

// Everything the framer can produce from what it holds: each line's text, or
// kTooLong for a too_long event; stops at need_more.
std::vector<std::string> take_events(LineFramer& framer) {
  std::vector<std::string> events;
  std::string_view line;
  while (true) {
    const LineFramer::Event event = framer.next(line);
    if (event == LineFramer::Event::need_more) return events;
    events.emplace_back(event == LineFramer::Event::line ? line : kTooLong);
  }
}

using Lines = std::vector<std::string>;

}  // namespace

// ---------------------------------------------------------------- framing

TEST_CASE("line codec: LF ends a line") {
  LineFramer framer(1024);
  feed(framer, "PING\n");
  CHECK(take_events(framer) == Lines{"PING"});
}

TEST_CASE("line codec: a CR before the LF is dropped") {
  LineFramer framer(1024);
  feed(framer, "PING\r\nVERSION\n");
  CHECK(take_events(framer) == Lines{"PING", "VERSION"});
}

TEST_CASE("line codec: a CR inside a line is kept") {
  LineFramer framer(1024);
  feed(framer, "A\rB\n");
  CHECK(take_events(framer) == Lines{"A\rB"});
}

TEST_CASE("line codec: empty lines come out as empty lines") {
  LineFramer framer(1024);
  feed(framer, "\n\r\nPING\n");
  CHECK(take_events(framer) == Lines{"", "", "PING"});
}

TEST_CASE("line codec: pipelined lines in one commit come out in order") {
  LineFramer framer(1024);
  feed(framer, "VERSION\nPING\nSESSION_LIST\n");
  CHECK(take_events(framer) == Lines{"VERSION", "PING", "SESSION_LIST"});
}

TEST_CASE("line codec: a line without its LF waits for more bytes") {
  LineFramer framer(1024);
  feed(framer, "PING\nVERS");
  CHECK(take_events(framer) == Lines{"PING"});
  feed(framer, "ION\n");
  CHECK(take_events(framer) == Lines{"VERSION"});
}

TEST_CASE("line codec: releasing the buffer of an idle connection keeps a partial line") {
  LineFramer framer(1024);
  feed(framer, "PING\nVERS");
  CHECK(take_events(framer) == Lines{"PING"});
  framer.release_if_empty();
  feed(framer, "ION\n");
  CHECK(take_events(framer) == Lines{"VERSION"});
  framer.release_if_empty();
  feed(framer, "PING\n");
  CHECK(take_events(framer) == Lines{"PING"});
}

TEST_CASE("line codec: a line split across several commits comes out whole") {
  LineFramer framer(1024);
  feed(framer, "ROU");
  CHECK(take_events(framer).empty());
  feed(framer, "TE_LIST|");
  CHECK(take_events(framer).empty());
  feed(framer, "S\r");
  CHECK(take_events(framer).empty());
  feed(framer, "\n");
  CHECK(take_events(framer) == Lines{"ROUTE_LIST|S"});
}

TEST_CASE("line codec: a line exactly at the limit passes") {
  LineFramer framer(8);
  SECTION("in one commit") {
    feed(framer, "12345678\n");
    CHECK(take_events(framer) == Lines{"12345678"});
  }
  SECTION("with its LF in a later commit") {
    feed(framer, "12345678");
    CHECK(take_events(framer).empty());
    feed(framer, "\n");
    CHECK(take_events(framer) == Lines{"12345678"});
  }
  SECTION("the CR counts towards the limit") {
    feed(framer, "1234567\r\n");
    CHECK(take_events(framer) == Lines{"1234567"});
  }
}

TEST_CASE("line codec: one byte over the limit is too_long once, then the next line parses") {
  LineFramer framer(8);
  SECTION("line and LF in one commit") {
    feed(framer, "123456789\nPING\n");
    CHECK(take_events(framer) == Lines{std::string(kTooLong), "PING"});
  }
  SECTION("a CR that takes the line over the limit") {
    feed(framer, "12345678\r\nPING\n");
    CHECK(take_events(framer) == Lines{std::string(kTooLong), "PING"});
  }
  SECTION("the LF arrives later") {
    feed(framer, "123456789");
    CHECK(take_events(framer) == Lines{std::string(kTooLong)});
    feed(framer, "\n");
    CHECK(take_events(framer).empty());
    feed(framer, "PING\n");
    CHECK(take_events(framer) == Lines{"PING"});
  }
}

TEST_CASE("line codec: an oversized line spanning many commits gives one too_long") {
  LineFramer framer(16);
  Lines events;
  for (int commit = 0; commit < 50; ++commit) {
    feed(framer, "0123456789");
    for (auto& event : take_events(framer)) events.push_back(event);
  }
  feed(framer, "tail\nPING\nVERSION\n");
  for (auto& event : take_events(framer)) events.push_back(event);
  CHECK(events == Lines{std::string(kTooLong), "PING", "VERSION"});
}

TEST_CASE("line codec: lines after an oversized line parse in the same commit") {
  LineFramer framer(4);
  feed(framer, "PING\nTOO_LONG_LINE\nPONG\n\nVERSION_OK\nOK\n");
  CHECK(take_events(framer) ==
        Lines{"PING", std::string(kTooLong), "PONG", "", std::string(kTooLong), "OK"});
}

TEST_CASE("line codec: a raised limit applies to the next line") {
  LineFramer framer(4);
  framer.set_max_line_bytes(10);
  CHECK(framer.max_line_bytes() == 10);
  feed(framer, "0123456789\n");
  CHECK(take_events(framer) == Lines{"0123456789"});
}

// ---------------------------------------------------------------- encoding

TEST_CASE("line codec: ASCII text is valid encoding") {
  CHECK(reg::is_valid_encoding(""));
  CHECK(reg::is_valid_encoding("REGISTER|svc|inst1|9000|{}"));
  CHECK(reg::is_valid_encoding("\t~\x7f"));
}

TEST_CASE("line codec: valid 2, 3 and 4 byte UTF-8 is accepted") {
  CHECK(reg::is_valid_encoding("caf\xC3\xA9"));             // U+00E9
  CHECK(reg::is_valid_encoding("\xC2\x80"));                // U+0080, smallest 2-byte
  CHECK(reg::is_valid_encoding("\xE2\x82\xAC 5"));          // U+20AC
  CHECK(reg::is_valid_encoding("\xE0\xA0\x80"));            // U+0800, smallest 3-byte
  CHECK(reg::is_valid_encoding("\xED\x9F\xBF"));            // U+D7FF, just below the surrogates
  CHECK(reg::is_valid_encoding("\xEE\x80\x80"));            // U+E000, just above them
  CHECK(reg::is_valid_encoding("\xF0\x9F\x98\x80"));        // U+1F600
  CHECK(reg::is_valid_encoding("\xF4\x8F\xBF\xBF"));        // U+10FFFF, the last code point
  CHECK(reg::is_valid_encoding("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"));
}

TEST_CASE("line codec: truncated UTF-8 sequences are invalid") {
  CHECK_FALSE(reg::is_valid_encoding("\xC3"));
  CHECK_FALSE(reg::is_valid_encoding("abc\xE2\x82"));
  CHECK_FALSE(reg::is_valid_encoding("\xF0\x9F\x98"));
  CHECK_FALSE(reg::is_valid_encoding("\xE2\x82" "A"));  // a continuation byte is missing mid-text
  CHECK_FALSE(reg::is_valid_encoding("\x80"));          // a continuation byte with no lead
  CHECK_FALSE(reg::is_valid_encoding("a\xBF" "b"));
}

TEST_CASE("line codec: overlong UTF-8 forms are invalid") {
  CHECK_FALSE(reg::is_valid_encoding("\xC0\xAF"));          // '/' in two bytes
  CHECK_FALSE(reg::is_valid_encoding("\xC1\xBF"));
  CHECK_FALSE(reg::is_valid_encoding("\xC0\x80"));          // NUL in two bytes
  CHECK_FALSE(reg::is_valid_encoding("\xE0\x80\xAF"));
  CHECK_FALSE(reg::is_valid_encoding("\xE0\x9F\xBF"));      // U+07FF in three bytes
  CHECK_FALSE(reg::is_valid_encoding("\xF0\x80\x80\xAF"));
  CHECK_FALSE(reg::is_valid_encoding("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST_CASE("line codec: UTF-16 surrogates are invalid") {
  CHECK_FALSE(reg::is_valid_encoding("\xED\xA0\x80"));  // U+D800
  CHECK_FALSE(reg::is_valid_encoding("\xED\xBF\xBF"));  // U+DFFF
  CHECK_FALSE(reg::is_valid_encoding("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 pair
}

TEST_CASE("line codec: code points past U+10FFFF are invalid") {
  CHECK_FALSE(reg::is_valid_encoding("\xF4\x90\x80\x80"));      // U+110000
  CHECK_FALSE(reg::is_valid_encoding("\xF5\x80\x80\x80"));
  CHECK_FALSE(reg::is_valid_encoding("\xF7\xBF\xBF\xBF"));
  CHECK_FALSE(reg::is_valid_encoding("\xF8\x88\x80\x80\x80"));  // old 5-byte form
  CHECK_FALSE(reg::is_valid_encoding("\xFE"));
  CHECK_FALSE(reg::is_valid_encoding("\xFF"));
}

TEST_CASE("line codec: a NUL byte is invalid encoding") {
  CHECK_FALSE(reg::is_valid_encoding(std::string_view("PI\0NG", 5)));
  CHECK_FALSE(reg::is_valid_encoding(std::string_view("\0", 1)));
}

// ---------------------------------------------------------------- parse_command

TEST_CASE("line codec: an unknown command is reported with its name") {
  auto parsed = parse_line("FROBNICATE|S|x");
  CHECK(parsed.status == ParseStatus::unknown_command);
  CHECK(parsed.unknown_name == "FROBNICATE");
  CHECK(parsed.command.txid.empty());
}

TEST_CASE("line codec: command names are upper case only") {
  auto parsed = parse_line("ping");
  CHECK(parsed.status == ParseStatus::unknown_command);
  CHECK(parsed.unknown_name == "ping");
}

TEST_CASE("line codec: an unknown command still yields its transaction id") {
  CHECK(parse_line("FROBNICATE|#9").command.txid == "#9");
  CHECK(parse_line("FROBNICATE|S|#9|x").command.txid == "#9");
}

TEST_CASE("line codec: too few fields is a usage error") {
  CHECK(parse_line("ROUTE_ADD|S|example.com|/|http://b:80").status == ParseStatus::usage);
  CHECK(parse_line("SESSION_INFO").status == ParseStatus::usage);
  CHECK(parse_line("HEADERS_SET|S|ALL|X-A").status == ParseStatus::usage);
  CHECK(parse_line("REGISTER|svc|inst1").status == ParseStatus::usage);
  CHECK(parse_line("ROUTE_ADD_BULK|S").status == ParseStatus::usage);
}

TEST_CASE("line codec: too many fields is a usage error") {
  CHECK(parse_line("ROUTE_ADD|S|example.com|/|http://b:80|0|extra").status == ParseStatus::usage);
  CHECK(parse_line("SESSION_INFO|S|x").status == ParseStatus::usage);
  CHECK(parse_line("VERSION|x").status == ParseStatus::usage);
  CHECK(parse_line("ROUTE_REMOVE|S|r1|r2|r3|r4|r5").status == ParseStatus::usage);
  CHECK(parse_line("PING|S|x").status == ParseStatus::usage);
  // Only the last field of a free-text command takes '|'.
  CHECK(parse_line("ROUTE_UPDATE|S|r1|path|/a|b").status == ParseStatus::usage);
}

TEST_CASE("line codec: fields come out in order without the command name") {
  auto parsed = parse_line("ROUTE_ADD|S|example.com|/api|http://b:80|5");
  REQUIRE(parsed.status == ParseStatus::ok);
  REQUIRE(parsed.command.spec != nullptr);
  CHECK(parsed.command.spec->name == "ROUTE_ADD");
  CHECK(parsed.command.fields ==
        std::vector<std::string_view>{"S", "example.com", "/api", "http://b:80", "5"});
  CHECK(parsed.command.field(5).empty());
}

TEST_CASE("line codec: REGISTER without metadata is complete") {
  auto parsed = parse_line("REGISTER|svc|inst1|9000");
  REQUIRE(parsed.status == ParseStatus::ok);
  CHECK(parsed.command.fields == std::vector<std::string_view>{"svc", "inst1", "9000"});
}

TEST_CASE("line codec: PING takes an optional session id") {
  SECTION("PING alone") {
    auto parsed = parse_line("PING");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.fields.empty());
  }
  SECTION("PING| with an empty session field") {
    auto parsed = parse_line("PING|");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.field(0).empty());
  }
  SECTION("PING with a session id") {
    auto parsed = parse_line("PING|S");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.fields == std::vector<std::string_view>{"S"});
  }
}

TEST_CASE("line codec: STATS_GET target is optional") {
  auto without = parse_line("STATS_GET|S");
  REQUIRE(without.status == ParseStatus::ok);
  CHECK(without.command.fields == std::vector<std::string_view>{"S"});

  auto with = parse_line("STATS_GET|S|r1");
  REQUIRE(with.status == ParseStatus::ok);
  CHECK(with.command.fields == std::vector<std::string_view>{"S", "r1"});
}

TEST_CASE("line codec: MAINT_ENTER backend_url is optional and may be empty") {
  auto without = parse_line("MAINT_ENTER|S|ALL");
  REQUIRE(without.status == ParseStatus::ok);
  CHECK(without.command.fields == std::vector<std::string_view>{"S", "ALL"});

  auto with = parse_line("MAINT_ENTER|S|ALL|http://m:8080");
  REQUIRE(with.status == ParseStatus::ok);
  CHECK(with.command.field(2) == "http://m:8080");

  auto empty = parse_line("MAINT_ENTER|S|r1,r2|");
  REQUIRE(empty.status == ParseStatus::ok);
  CHECK(empty.command.fields == std::vector<std::string_view>{"S", "r1,r2", ""});
}

TEST_CASE("line codec: free text keeps |") {
  SECTION("REGISTER metadata") {
    auto parsed = parse_line(R"(REGISTER|svc|inst1|9000|{"note":"a|b","x":"|"})");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.field(3) == R"({"note":"a|b","x":"|"})");
  }
  SECTION("HEADERS_SET value") {
    auto parsed = parse_line("HEADERS_SET|S|ALL|X-Choice|a|b||c|");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.fields == std::vector<std::string_view>{"S", "ALL", "X-Choice", "a|b||c|"});
  }
  SECTION("ROUTE_ADD_BULK json") {
    auto parsed = parse_line(
        R"(ROUTE_ADD_BULK|S|[{"domains":["a.example.com"],"path":"/x|y","backend_url":"http://b:80"}])");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.field(1) == R"([{"domains":["a.example.com"],"path":"/x|y","backend_url":"http://b:80"}])");
  }
  SECTION("a free-text value that starts with #") {
    auto parsed = parse_line("HEADERS_SET|S|ALL|X-Colour|#fff");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.txid.empty());
    CHECK(parsed.command.field(3) == "#fff");
  }
}

TEST_CASE("line codec: transaction id after the command name") {
  auto parsed = parse_line("VERSION|#7");
  REQUIRE(parsed.status == ParseStatus::ok);
  CHECK(parsed.command.txid == "#7");
  CHECK(parsed.command.fields.empty());
}

TEST_CASE("line codec: transaction id after the session id") {
  auto parsed = parse_line("ROUTE_ADD|S|#42|example.com|/|http://b:80|0");
  REQUIRE(parsed.status == ParseStatus::ok);
  CHECK(parsed.command.txid == "#42");
  CHECK(parsed.command.fields == std::vector<std::string_view>{"S", "example.com", "/", "http://b:80", "0"});
}

TEST_CASE("line codec: transaction id on PING with and without a session") {
  auto bare = parse_line("PING|#1");
  REQUIRE(bare.status == ParseStatus::ok);
  CHECK(bare.command.txid == "#1");
  CHECK(bare.command.fields.empty());

  auto with_session = parse_line("PING|S|#1");
  REQUIRE(with_session.status == ParseStatus::ok);
  CHECK(with_session.command.txid == "#1");
  CHECK(with_session.command.fields == std::vector<std::string_view>{"S"});
}

TEST_CASE("line codec: transaction id on free-text commands") {
  auto registered = parse_line(R"(REGISTER|#5|svc|i|9000|{"a":"|"})");
  REQUIRE(registered.status == ParseStatus::ok);
  CHECK(registered.command.txid == "#5");
  CHECK(registered.command.fields == std::vector<std::string_view>{"svc", "i", "9000", R"({"a":"|"})"});

  auto bulk = parse_line(R"(ROUTE_ADD_BULK|S|#3|[{"domains":["a.com"],"path":"/"}])");
  REQUIRE(bulk.status == ParseStatus::ok);
  CHECK(bulk.command.txid == "#3");
  CHECK(bulk.command.fields == std::vector<std::string_view>{"S", R"([{"domains":["a.com"],"path":"/"}])"});

  auto header = parse_line("HEADERS_SET|S|#8|ALL|X-A|v|w");
  REQUIRE(header.status == ParseStatus::ok);
  CHECK(header.command.txid == "#8");
  CHECK(header.command.fields == std::vector<std::string_view>{"S", "ALL", "X-A", "v|w"});
}

TEST_CASE("line codec: a usage error still yields the transaction id") {
  auto parsed = parse_line("ROUTE_ADD|S|#42|example.com");
  CHECK(parsed.status == ParseStatus::usage);
  CHECK(parsed.command.txid == "#42");
}

TEST_CASE("line codec: the transaction id does not count towards the arity") {
  CHECK(parse_line("SESSION_INFO|S|#1").status == ParseStatus::ok);
  CHECK(parse_line("SESSION_INFO|S|#1|x").status == ParseStatus::usage);
  CHECK(parse_line("VERSION|#1|#2").status == ParseStatus::usage);
}

TEST_CASE("line codec: compressed flag on ROUTE_LIST, STATS_GET, SESSION_LIST and ROUTE_TABLE") {
  SECTION("ROUTE_LIST") {
    auto parsed = parse_line("ROUTE_LIST|S|compressed");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.compressed);
    CHECK(parsed.command.fields == std::vector<std::string_view>{"S"});
  }
  SECTION("STATS_GET without a target") {
    auto parsed = parse_line("STATS_GET|S|compressed");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.compressed);
    CHECK(parsed.command.fields == std::vector<std::string_view>{"S"});
  }
  SECTION("STATS_GET with a target") {
    auto parsed = parse_line("STATS_GET|S|r1|compressed");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.compressed);
    CHECK(parsed.command.fields == std::vector<std::string_view>{"S", "r1"});
  }
  SECTION("SESSION_LIST") {
    auto parsed = parse_line("SESSION_LIST|compressed");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.compressed);
    CHECK(parsed.command.fields.empty());
  }
  SECTION("ROUTE_TABLE") {
    auto parsed = parse_line("ROUTE_TABLE|compressed");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.compressed);
  }
  SECTION("together with a transaction id") {
    auto parsed = parse_line("ROUTE_LIST|S|#4|compressed");
    REQUIRE(parsed.status == ParseStatus::ok);
    CHECK(parsed.command.compressed);
    CHECK(parsed.command.txid == "#4");
    CHECK(parsed.command.fields == std::vector<std::string_view>{"S"});
  }
}

TEST_CASE("line codec: no compressed flag without the trailing field") {
  auto parsed = parse_line("ROUTE_LIST|S");
  REQUIRE(parsed.status == ParseStatus::ok);
  CHECK_FALSE(parsed.command.compressed);
  CHECK_FALSE(parse_line("SESSION_LIST").command.compressed);
}

TEST_CASE("line codec: compressed on other commands is an extra field") {
  CHECK(parse_line("SESSION_INFO|S|compressed").status == ParseStatus::usage);
  CHECK(parse_line("VERSION|compressed").status == ParseStatus::usage);
  CHECK(parse_line("MAINT_STATUS|S|compressed").status == ParseStatus::usage);
  CHECK(parse_line("DRAIN_STATUS|S|compressed").status == ParseStatus::usage);

  auto header = parse_line("HEADERS_SET|S|ALL|X-Mode|compressed");
  REQUIRE(header.status == ParseStatus::ok);
  CHECK_FALSE(header.command.compressed);
  CHECK(header.command.field(3) == "compressed");
}

// ---------------------------------------------------------------- replies

TEST_CASE("line codec: format_reply without txid or payload is the code alone") {
  CHECK(reg::format_reply("PONG", "") == "PONG");
}

TEST_CASE("line codec: format_reply puts the txid right after the code") {
  CHECK(reg::format_reply("ROUTE_OK", "#42", "r7") == "ROUTE_OK|#42|r7");
  CHECK(reg::format_reply("OK", "#42") == "OK|#42");
  CHECK(reg::format_reply("ERROR", "#42", "session not found") == "ERROR|#42|session not found");
}

TEST_CASE("line codec: format_reply with a payload and no txid") {
  CHECK(reg::format_reply("ROUTE_OK", "", "r7") == "ROUTE_OK|r7");
  CHECK(reg::format_reply("ERROR", "", "unknown command: FOO") == "ERROR|unknown command: FOO");
}

TEST_CASE("line codec: append_reply ends each reply with LF and keeps earlier ones") {
  std::string out;
  reg::append_reply(out, "PONG", "");
  reg::append_reply(out, "ROUTE_OK", "#42", "r7");
  reg::append_reply(out, "OK", "#1");
  reg::append_reply(out, "ACK", "", "orbat.1-6f1c");
  CHECK(out == "PONG\nROUTE_OK|#42|r7\nOK|#1\nACK|orbat.1-6f1c\n");
}
