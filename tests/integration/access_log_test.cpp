// --access-log: one logfmt line per proxied request, written off the request
// path, without query strings or headers.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("access log: one line per request, no query string", "[access_log]") {
  TempDir dir("regd-access");
  const auto log_path = dir.path() / "access.log";
  RegdProcess regd({"--access-log", log_path.string()});
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  const auto route = control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(http_get(regd.proxy(), "a.com", "/hello").status == 200);
  REQUIRE(http_get(regd.proxy(), "unknown.com", "/nothing").status == 404);
  REQUIRE(http_get(regd.proxy(), "a.com", "/search?token=s3cret&q=x").status == 200);
  // The backend still gets the query; only the log leaves it out.
  REQUIRE(backend.last_request().value().target == "/search?token=s3cret&q=x");

  std::vector<std::string> lines;
  REQUIRE(eventually([&] {
    lines = read_lines(log_path);
    return lines.size() >= 3;
  }));
  REQUIRE(lines.size() == 3);

  const std::string common = R"(time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z client=127\.0\.0\.1 method=GET )";
  const std::string sizes = R"( bytes_sent=[1-9]\d* bytes_received=[1-9]\d* duration_ms=\d+\.\d{3} )";
  const std::string via_backend = "route=" + route + " backend=" + std::regex_replace(backend.url(), std::regex(R"([.])"), R"(\.)");
  INFO(lines[0] << "\n" << lines[1] << "\n" << lines[2]);
  // Each worker buffers its own lines, so across workers they may come out
  // of order: every expected line must be there exactly once.
  const auto count_matching = [&](const std::string& pattern) {
    const std::regex expected(pattern);
    return std::count_if(lines.begin(), lines.end(),
                         [&](const std::string& line) { return std::regex_match(line, expected); });
  };
  CHECK(count_matching(common + R"(host=a\.com path=/hello status=200)" + sizes + via_backend) == 1);
  CHECK(count_matching(common + R"(host=unknown\.com path=/nothing status=404)" + sizes + "route=- backend=-") == 1);
  CHECK(count_matching(common + R"(host=a\.com path=/search status=200)" + sizes + via_backend) == 1);
  for (const auto& line : lines) {
    CHECK(line.find("s3cret") == std::string::npos);
    CHECK(line.find('?') == std::string::npos);
  }
}

TEST_CASE("access log: SIGHUP reopens the file, for logrotate", "[access_log]") {
  TempDir dir("regd-access");
  const auto log_path = dir.path() / "access.log";
  const auto rotated = dir.path() / "access.log.1";
  RegdProcess regd({"--access-log", log_path.string()});
  HttpBackend backend("A");
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  REQUIRE(http_get(regd.proxy(), "a.com", "/before").status == 200);
  REQUIRE(eventually([&] { return read_lines(log_path).size() == 1; }));
  std::filesystem::rename(log_path, rotated);
  REQUIRE(::kill(regd.pid(), SIGHUP) == 0);
  // The reopened file appears; from then on lines go to it.
  REQUIRE(eventually([&] { return std::filesystem::exists(log_path); }));
  REQUIRE(http_get(regd.proxy(), "a.com", "/after").status == 200);

  REQUIRE(eventually([&] { return read_lines(log_path).size() == 1; }));
  CHECK(read_lines(log_path)[0].find(" path=/after ") != std::string::npos);
  const auto old_lines = read_lines(rotated);
  REQUIRE(old_lines.size() == 1);
  CHECK(old_lines[0].find(" path=/before ") != std::string::npos);
}

}  // namespace reg::test
