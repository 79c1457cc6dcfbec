// PROTOCOL.md §7: tokens are never logged, and session ids (secrets too)
// never in full. A whole flow at debug level, then regd's stderr and its
// access log are searched for every secret that went over the wire.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <sstream>
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

using namespace std::chrono_literals;

constexpr std::string_view kToken = "tok-7c41d0e9b2a8-secret";
// What a client with a typo in its token file would send.
constexpr std::string_view kAlmostToken = "tok-7c41d0e9b2a8-secreT";

std::string read_whole(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

Control authenticated(const RegdProcess& regd) {
  Control control(regd.control());
  REQUIRE(control.send("AUTH|" + std::string(kToken)) == "OK");
  return control;
}

// The id without its counter: the random part alone identifies the session.
std::string random_part(const std::string& session) { return session.substr(session.find('-') + 1); }

}  // namespace

TEST_CASE("logs: neither the token nor a whole session id reaches regd's logs", "[logs]") {
  TempDir files;
  const auto token_file = files.write_file("token", std::string(kToken) + "\n");
  const auto access_log = files.path() / "access.log";
  RegdProcess regd({"--auth-token-file", token_file.string(), "--log-level", "debug", "--access-log",
                    access_log.string(), "--session-grace", "1s"});
  HttpBackend backend("A");
  std::vector<std::string> sessions;

  {
    Control control = authenticated(regd);
    const auto held = control.register_session("svc", "held", persistent_lease);
    const auto expiring = control.register_session("svc", "expiring");
    sessions.insert(sessions.end(), {held, expiring});
    const auto route = control.add_route(held, "a.com", "/", backend.url());
    REQUIRE(control.send("CONFIG_APPLY|" + held) == "OK");
    REQUIRE(http_get(regd.proxy(), "a.com", "/").status == 200);
    REQUIRE(control.send("SESSION_INFO|" + held).rfind("SESSION_OK|", 0) == 0);
    REQUIRE(control.send("STATS_GET|" + held + "|" + route).rfind("STATS_OK|", 0) == 0);
    REQUIRE(control.send("PING|" + held) == "PONG");
  }  // closing the connection detaches the connection-lease session

  Control control = authenticated(regd);
  REQUIRE(control.send("RECONNECT|" + sessions[0]) == "OK");
  REQUIRE(control.send("SUBSCRIBE|" + sessions[0] + "|all") == "SUBSCRIBE_OK");
  const auto persistent = control.register_session("svc", "persistent", persistent_lease);
  sessions.push_back(persistent);
  // A well-formed id that regd never gave out.
  const std::string unknown = "s999-0123456789abcdef0123456789abcdef";
  sessions.push_back(unknown);
  REQUIRE(control.send("PING|" + unknown) == "ERROR|session not found");
  REQUIRE(control.send("RECONNECT|" + unknown) == "REREGISTER");
  REQUIRE(control.send("CLIENT_SHUTDOWN|" + persistent) == "SHUTDOWN_OK");
  CHECK(eventually([&] { return control.send("SESSION_INFO|" + sessions[1]) == "ERROR|session not found"; }));

  Control intruder(regd.control());
  for (int attempt = 0; attempt < 3; ++attempt) {
    REQUIRE(intruder.send("AUTH|" + std::string(kAlmostToken)) == "ERROR|authentication failed");
  }
  CHECK(intruder.closed_by_server());
  // SIGHUP reads the token file again.
  REQUIRE(::kill(regd.pid(), SIGHUP) == 0);
  CHECK(eventually([&] { return regd.log_tail().find("configuration reloaded") != std::string::npos; }));
  REQUIRE(regd.stop() == 0);

  const std::string log = regd.whole_log();
  const std::string access = read_whole(access_log);
  INFO("--- regd's log ---\n" << log << "--- access log ---\n" << access);
  // The flow was logged, with ids shortened.
  CHECK(log.find("session registered") != std::string::npos);
  CHECK(log.find("session expired") != std::string::npos);
  CHECK(log.find("failed to authenticate") != std::string::npos);
  CHECK(log.find(sessions[0].substr(0, 8)) != std::string::npos);
  CHECK(access.find("a.com") != std::string::npos);
  for (const auto& text : {log, access}) {
    CHECK(text.find(kToken) == std::string::npos);
    CHECK(text.find(kAlmostToken) == std::string::npos);
    for (const auto& session : sessions) {
      INFO("session " << session);
      CHECK(text.find(random_part(session)) == std::string::npos);
    }
  }
}

}  // namespace reg::test
