#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/proxy/access_log.hpp"
#include "support/temp_dir.hpp"

using reg::proxy::AccessEntry;
using reg::proxy::AccessLog;
using reg::proxy::AccessLogBuffer;

namespace {

std::string line_of(const AccessEntry& entry) {
  std::string line;
  reg::proxy::append_access_line(line, entry);
  return line;
}

AccessEntry sample() {
  AccessEntry entry;
  entry.time = std::chrono::system_clock::time_point{std::chrono::milliseconds{1'795'000'000'123}};
  entry.client = "127.0.0.1";
  entry.method = "GET";
  entry.host = "a.com";
  entry.path = "/x";
  entry.status = 200;
  entry.bytes_sent = 87;
  entry.bytes_received = 36;
  entry.duration = std::chrono::microseconds{1'234};
  entry.route = "r7";
  entry.backend = "http://10.0.0.1:8080";
  return entry;
}

}  // namespace

TEST_CASE("access log: the line's fields, in order", "[access_log]") {
  CHECK(line_of(sample()) ==
        "time=2026-11-18T11:06:40.123Z client=127.0.0.1 method=GET host=a.com path=/x status=200 bytes_sent=87 "
        "bytes_received=36 duration_ms=1.234 route=r7 backend=http://10.0.0.1:8080\n");
}

TEST_CASE("access log: milliseconds and durations keep their zeros, and each second has its own text", "[access_log]") {
  AccessEntry entry = sample();
  entry.time = std::chrono::system_clock::time_point{std::chrono::milliseconds{1'795'000'000'007}};
  entry.duration = std::chrono::microseconds{1'000'005};
  std::string line = line_of(entry);
  CHECK(line.rfind("time=2026-11-18T11:06:40.007Z ", 0) == 0);
  CHECK(line.find(" duration_ms=1000.005 ") != std::string::npos);
  // The next second, and back: the text kept for a second is never reused for another.
  entry.time += std::chrono::milliseconds{1'000};
  CHECK(line_of(entry).rfind("time=2026-11-18T11:06:41.007Z ", 0) == 0);
  entry.time -= std::chrono::milliseconds{1'001};
  CHECK(line_of(entry).rfind("time=2026-11-18T11:06:40.006Z ", 0) == 0);
}

TEST_CASE("access log: values are escaped as in the daemon's log, unknown ones are -", "[access_log]") {
  AccessEntry entry = sample();
  entry.host = "evil\" host=x";
  entry.path = "/a b\nstatus=1";
  entry.method = {};
  entry.route = "-";
  entry.backend = "-";
  entry.duration = std::chrono::microseconds{12};
  const std::string line = line_of(entry);
  CHECK(line.find(R"( method=- host="evil\" host=x" path="/a b\nstatus=1" )") != std::string::npos);
  CHECK(line.find(" duration_ms=0.012 route=- backend=-\n") != std::string::npos);
  CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("access log: a full buffer drops lines and counts them", "[access_log]") {
  AccessLogBuffer buffer(10);
  buffer.append("12345\n");
  buffer.append("1234\n");  // 11 bytes: over the limit
  buffer.append("abc\n");
  std::string taken;
  CHECK(buffer.take(taken) == 1);
  CHECK(taken == "12345\nabc\n");
  CHECK(buffer.take(taken) == 0);
  CHECK(taken.empty());
}

TEST_CASE("access log: stop writes every worker's lines to the file", "[access_log]") {
  reg::test::TempDir dir("regd-access-unit");
  const auto path = dir.path() / "access.log";
  auto log = AccessLog::open(path.string(), 2);
  REQUIRE(log);
  (*log)->buffer(0).append("one\n");
  (*log)->buffer(1).append("two\n");
  (*log)->stop();
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  CHECK(content.str() == "one\ntwo\n");
}

TEST_CASE("access log: a file that cannot be opened is an error naming it", "[access_log]") {
  auto log = AccessLog::open("/nonexistent-dir/access.log", 1);
  REQUIRE_FALSE(log);
  CHECK(log.error().find("/nonexistent-dir/access.log") != std::string::npos);
}
