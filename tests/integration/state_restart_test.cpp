// Issue 5, persistent state: what regd brings back after a restart
// (PROTOCOL.md §4 "After a daemon restart"), through the real protocol and
// the real proxy, and how it refuses a state directory it cannot use.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/http_backend.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::Contains;

std::vector<std::string> state_flags(const TempDir& state, std::vector<std::string> more = {}) {
  std::vector<std::string> flags{"--state-dir", state.path().string()};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

// Everything a client can read back about one session, timestamps included.
std::vector<std::string> session_picture(Control& control, const std::string& session) {
  auto info = reply_json(control.send("SESSION_INFO|" + session), "SESSION_OK");
  info.erase("uptime_seconds");
  // Every command on a session, SESSION_INFO included, is activity: the
  // value is this read's own time, which a restart between two reads moves.
  info.erase("last_activity");
  info.erase("state");  // a connection lease comes back detached: checked on its own
  return {info.dump(), control.send("ROUTE_LIST|" + session), control.send("CONFIG_DIFF|" + session),
          control.send("MAINT_STATUS|" + session)};
}

// DRAIN_STATUS without the fields that move with the clock.
std::string drain_timeline(Control& control, const std::string& session) {
  auto status = reply_json(control.send("DRAIN_STATUS|" + session), "DRAIN_STATUS_OK");
  return status["started_at"].get<std::string>() + " " + status["completes_at"].get<std::string>() + " " +
         status["duration_seconds"].dump();
}

std::string start_failure(const std::vector<std::string>& flags) {
  try {
    RegdProcess regd(flags);
  } catch (const std::exception& error) {
    return error.what();
  }
  return "regd started";
}

}  // namespace

TEST_CASE("state: after kill -9 and a restart, sessions, configuration, drain and maintenance are back", "[state]") {
  TempDir state("regd-state");
  HttpBackend web("web"), api("api"), maint_page("maint");
  std::string web_session, drained_session, maint_session, leased_session;
  std::vector<std::vector<std::string>> before;
  std::string drain_before;
  std::string last_route;
  {
    RegdProcess regd(state_flags(state));
    Control control(regd.control());
    web_session = control.register_session("web", "web-1", persistent_lease);
    control.add_route(web_session, "web.example.com", "/", web.url());
    const std::string api_route = control.add_route(web_session, "api.example.com", "/v1", api.url(), 5);
    REQUIRE(control.send("HEADERS_SET|" + web_session + "|ALL|X-Served-By|web|1") == "HEADERS_OK");
    REQUIRE(control.send("OPTIONS_SET|" + web_session + "|" + api_route + "|timeout|5s") == "OPTIONS_OK");
    REQUIRE(control.send("RATELIMIT_SET|" + web_session + "|" + api_route + "|100|1s") == "RATELIMIT_OK");
    REQUIRE(control.send("CIRCUIT_BREAKER_SET|" + web_session + "|ALL|5|30s|2") == "CIRCUIT_OK");
    REQUIRE(control.send("CONFIG_APPLY|" + web_session) == "OK");
    // Staged on top of the active configuration, not applied.
    control.add_route(web_session, "new.example.com", "/", web.url());
    REQUIRE(control.send("ROUTE_REMOVE|" + web_session + "|" + api_route) == "ROUTE_OK");
    REQUIRE(control.send("HEADERS_SET|" + web_session + "|ALL|X-Next|yes") == "HEADERS_OK");

    drained_session = control.register_session("drained", "d-1", persistent_lease);
    control.add_route(drained_session, "drained.example.com", "/", web.url());
    REQUIRE(control.send("CONFIG_APPLY|" + drained_session) == "OK");
    REQUIRE(control.send("DRAIN_START|" + drained_session + "|1h").rfind("DRAIN_OK|", 0) == 0);
    drain_before = drain_timeline(control, drained_session);

    maint_session = control.register_session("maint", "m-1", persistent_lease);
    control.add_route(maint_session, "maint.example.com", "/", web.url());
    REQUIRE(control.send("CONFIG_APPLY|" + maint_session) == "OK");
    REQUIRE(control.send("MAINT_ENTER|" + maint_session + "|ALL|" + maint_page.url()) == "ACK");
    REQUIRE(control.next_line() == "MAINT_OK|ALL");

    leased_session = control.register_session("leased", "l-1");  // connection lease, held by `control`
    last_route = control.add_route(leased_session, "leased.example.com", "/", web.url());
    REQUIRE(control.send("CONFIG_APPLY|" + leased_session) == "OK");

    for (const auto& session : {web_session, drained_session, maint_session, leased_session})
      before.push_back(session_picture(control, session));
    regd.kill();
  }

  RegdProcess regd(state_flags(state));
  // Traffic first, before any client has said a word.
  const HttpResponse served = http_get(regd.proxy(), "web.example.com", "/");
  CHECK(served.summary() == "200 backend:web");
  CHECK(served.header("X-Served-By") == "web|1");
  CHECK(http_get(regd.proxy(), "api.example.com", "/v1/x").summary() == "200 backend:api");
  const HttpResponse maintenance = http_get(regd.proxy(), "maint.example.com", "/");
  CHECK(maintenance.summary() == "200 backend:maint");
  CHECK(maintenance.header("X-Maintenance-Mode") == "true");
  CHECK(http_get(regd.proxy(), "new.example.com", "/").status == 404);  // staged only

  Control control(regd.control());
  std::size_t index = 0;
  for (const auto& session : {web_session, drained_session, maint_session, leased_session})
    CHECK(session_picture(control, session) == before[index++]);
  CHECK(drain_timeline(control, drained_session) == drain_before);

  // The connection lease is back detached: out of the rotation until its
  // client reconnects.
  CHECK(control.session_state(leased_session) == "detached");
  CHECK(control.session_state(web_session) == "attached");
  CHECK(http_get(regd.proxy(), "leased.example.com", "/").status == 503);
  Control client(regd.control());
  REQUIRE(client.send("RECONNECT|" + leased_session) == "OK");
  CHECK(http_get(regd.proxy(), "leased.example.com", "/").summary() == "200 backend:web");

  // Route ids go on from where they were, never reused.
  const std::string next = control.add_route(web_session, "later.example.com", "/", web.url());
  CHECK(std::stoull(next.substr(1)) == std::stoull(last_route.substr(1)) + 1);

  // The staged changes apply as they would have before the restart.
  REQUIRE(control.send("CONFIG_APPLY|" + web_session) == "OK");
  CHECK(http_get(regd.proxy(), "new.example.com", "/").summary() == "200 backend:web");
  CHECK(http_get(regd.proxy(), "api.example.com", "/v1/x").status == 404);
}

TEST_CASE("state: a stopped regd keeps what it acknowledged, and ended sessions stay ended", "[state]") {
  TempDir state("regd-state");
  std::string kept, ended;
  {
    RegdProcess regd(state_flags(state));
    Control control(regd.control());
    kept = control.register_session("svc", "kept", persistent_lease);
    ended = control.register_session("svc", "ended", persistent_lease);
    control.add_route(kept, "a.example.com", "/", "http://127.0.0.1:9");
    REQUIRE(control.send("CLIENT_SHUTDOWN|" + ended) == "SHUTDOWN_OK");
    REQUIRE(regd.stop() == 0);
  }
  RegdProcess regd(state_flags(state));
  Control control(regd.control());
  CHECK(reply_json(control.send("ROUTE_LIST|" + kept), "ROUTE_LIST_OK").size() == 1);
  CHECK(control.send("SESSION_INFO|" + ended) == "ERROR|session not found");
  CHECK(control.send("RECONNECT|" + ended) == "REREGISTER");
}

TEST_CASE("state: applies on top of applies, updates of applied routes and a partial apply survive kill -9",
          "[state]") {
  TempDir state("regd-state");
  HttpBackend web("web"), api("api");
  std::string session;
  std::vector<std::string> before;
  {
    RegdProcess regd(state_flags(state));
    Control control(regd.control());
    session = control.register_session("web", "web-1", persistent_lease);
    const std::string a = control.add_route(session, "a.example.com", "/", web.url());
    const std::string b = control.add_route(session, "b.example.com", "/", web.url());
    REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
    REQUIRE(control.send("ROUTE_UPDATE|" + session + "|" + a + "|backend_url|" + api.url()) == "ROUTE_OK");
    REQUIRE(control.send("ROUTE_REMOVE|" + session + "|" + b) == "ROUTE_OK");
    const std::string c = control.add_route(session, "c.example.com", "/", web.url());
    REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
    control.add_route(session, "d.example.com", "/", web.url());
    REQUIRE(control.send("ROUTE_UPDATE|" + session + "|" + c + "|priority|3") == "ROUTE_OK");
    REQUIRE(control.send("HEADERS_SET|" + session + "|ALL|X-Later|yes") == "HEADERS_OK");
    // Headers only: the staged route changes stay staged.
    REQUIRE(control.send("CONFIG_APPLY_PARTIAL|" + session + "|headers") == "OK");
    control.add_route(session, "e.example.com", "/", web.url());
    before = session_picture(control, session);
    regd.kill();
  }
  RegdProcess regd(state_flags(state));
  Control control(regd.control());
  CHECK(session_picture(control, session) == before);
  CHECK(http_get(regd.proxy(), "a.example.com", "/").summary() == "200 backend:api");
  CHECK(http_get(regd.proxy(), "b.example.com", "/").status == 404);
  CHECK(http_get(regd.proxy(), "c.example.com", "/").header("X-Later") == "yes");
  CHECK(http_get(regd.proxy(), "d.example.com", "/").status == 404);
}

TEST_CASE("state: a state.db of the first layout, routes inside each session, is migrated at start", "[state]") {
  TempDir state("regd-state");
  HttpBackend backend("old");
  const std::string id = "s1-0123456789abcdef0123456789abcdef";
  const std::string config_tail = R"(],"headers":[],"options":[],"health":[],"ratelimits":[],"circuits":[]})";
  const std::string body =
      R"({"service_name":"web","instance_name":"web-1","maintenance_port":0,"metadata":{"lease":"persistent"},)"
      R"("lease":"persistent","connected_at":0,"last_activity":0,"last_apply":null,)"
      R"("active":{"routes":[[3,["old.example.com"],"/",")" + backend.url() + R"(",0])" + config_tail + "," +
      R"("staged":{"routes":[[3,["old.example.com"],"/",")" + backend.url() + R"(",0],)" +
      R"([4,["new.example.com"],"/",")" + backend.url() + R"(",0])" + config_tail + "," +
      R"("last_staged_at":)" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count()) +
      R"(,"drain":null,"maintenance":{"all":false,"routes":[],"backend":null,"entered_at":0}})";
  const auto script = state.write_file(
      "v1.sql", "CREATE TABLE sessions (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL);"
                "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
                "INSERT INTO sessions VALUES ('" + id + "', '" + body + "');"
                "INSERT INTO counters VALUES ('last_route_number', 4), ('sessions_created', 1);"
                "PRAGMA user_version = 1;");
  const std::string database = (state.path() / "state.db").string();
  REQUIRE(std::system(("sqlite3 " + database + " < " + script.string()).c_str()) == 0);

  const auto check_migrated = [&](Control& control, const RegdProcess& regd) {
    const auto routes = reply_json(control.send("ROUTE_LIST|" + id), "ROUTE_LIST_OK");
    REQUIRE(routes.size() == 2);
    CHECK(routes[0]["route_id"] == "r3");
    CHECK(routes[0]["status"] == "active");
    CHECK(routes[1]["route_id"] == "r4");
    CHECK(routes[1]["status"] == "staged");
    CHECK(http_get(regd.proxy(), "old.example.com", "/").summary() == "200 backend:old");
  };
  {
    RegdProcess regd(state_flags(state));
    Control control(regd.control());
    check_migrated(control, regd);
    REQUIRE(regd.stop() == 0);
  }
  // Written again in rows per route: a second start reads the new form.
  const auto count = state.write_file("count.sql", "SELECT count(*) FROM items;");
  CHECK(std::system(("test \"$(sqlite3 " + database + " < " + count.string() + ")\" = 2").c_str()) == 0);
  RegdProcess regd(state_flags(state));
  Control control(regd.control());
  check_migrated(control, regd);
  CHECK(control.add_route(id, "later.example.com", "/", backend.url()) == "r5");
}

TEST_CASE("state: leases and staged changes expire by the normal rules after a restart", "[state]") {
  TempDir state("regd-state");
  std::string leased, staging;
  {
    RegdProcess regd(state_flags(state));
    Control control(regd.control());
    leased = control.register_session("svc", "leased");
    staging = control.register_session("svc", "staging", persistent_lease);
    control.add_route(staging, "a.example.com", "/", "http://127.0.0.1:9");
    regd.kill();
  }
  // The staged route was last touched before this pause, which counts.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  RegdProcess regd(state_flags(state, {"--session-grace", "1500ms", "--staged-ttl", "1s"}));
  Control control(regd.control());
  // A fresh grace period: still there right after the start, detached.
  CHECK(control.session_state(leased) == "detached");
  CHECK(eventually([&] { return control.send("ROUTE_LIST|" + staging) == "ROUTE_LIST_OK|[]"; }, Milliseconds{1000}));
  CHECK(eventually([&] { return control.send("SESSION_INFO|" + leased) == "ERROR|session not found"; }));
  CHECK(control.send("RECONNECT|" + leased) == "REREGISTER");
}

TEST_CASE("state: an unusable state directory or database stops regd with a clear message", "[state]") {
  TempDir dir("regd-state");

  SECTION("a file that is not a database") {
    std::filesystem::create_directories(dir.path() / "state");
    dir.write_file("state/state.db", std::string(8192, 'x'));
    const std::string failure = start_failure({"--state-dir", (dir.path() / "state").string()});
    CHECK_THAT(failure, Contains("regd exited with status 1"));
    CHECK_THAT(failure, Contains("state.db") && Contains("not a database"));
  }
  SECTION("a directory that cannot be created") {
    const auto file = dir.write_file("plain-file", "x");
    const std::string failure = start_failure({"--state-dir", (file / "state").string()});
    CHECK_THAT(failure, Contains("regd exited with status 1"));
    CHECK_THAT(failure, Contains("cannot create state directory " + (file / "state").string()));
  }
  SECTION("a directory another regd uses") {
    RegdProcess first(state_flags(dir));
    const std::string failure = start_failure(state_flags(dir));
    CHECK_THAT(failure, Contains("is in use by another regd"));
  }
  SECTION("a stored session that does not decode") {
    {
      RegdProcess regd(state_flags(dir));
      Control(regd.control()).register_session("svc", "i1", persistent_lease);
    }
    // A row whose body is JSON, but no session record.
    const auto script = dir.write_file("edit.sql", R"(UPDATE sessions SET body = '{"oops":1}';)");
    const std::string database = (dir.path() / "state.db").string();
    REQUIRE(std::system(("sqlite3 " + database + " < " + script.string()).c_str()) == 0);
    const std::string failure = start_failure(state_flags(dir));
    CHECK_THAT(failure, Contains("cannot restore state") && Contains("is unreadable"));
  }
}

}  // namespace reg::test
