// The stored form of a session: what goes in comes back, and a record that
// is not one is an error that names the session, not a crash.
#include <catch2/catch.hpp>

#include "daemon/control/route_journal.hpp"
#include "daemon/control/session_record.hpp"
#include "daemon/state/sqlite_state_store.hpp"
#include "support/temp_dir.hpp"

namespace reg::control {
namespace {

// The session as a real store gives it back after writing it whole.
state::StoredSession through_store(const Session& session, const ClockReading& now) {
  test::TempDir directory("regd-record");
  auto store = state::SqliteStateStore::open(directory.path());
  REQUIRE(store.ok());
  RouteJournal journal;
  journal.rewritten(session);
  state::StateChanges changes;
  changes.items = journal.take();
  changes.upserts.emplace_back(session.id, encode_session(session, now));
  REQUIRE((*store)->commit(changes).ok());
  auto loaded = (*store)->load();
  REQUIRE(loaded.ok());
  REQUIRE(loaded->sessions.size() == 1);
  return loaded->sessions[0];
}

state::StoredSession record_only(std::string id, std::string body) { return {std::move(id), std::move(body), {}, {}}; }

}  // namespace

TEST_CASE("session record: every stored field comes back after decode") {
  const ClockReading now = ClockReading::now();
  Session session;
  session.id = "s7-0123456789abcdef";
  session.service_name = "web";
  session.instance_name = "web-1";
  session.maintenance_port = 9000;
  session.metadata = {{"lease", "persistent"}, {"zone", "a|b"}};
  session.lease = Lease::persistent;
  session.connected_at = now.system - std::chrono::hours(1);
  session.last_activity = now.system - std::chrono::seconds(5);
  session.last_apply = now.system - std::chrono::minutes(3);
  session.active.routes[3] = RouteSpec{{"a.example.com", "*.b.example.com"}, "/api", *parse_backend_url("http://10.0.0.1:8080/base"), -5};
  session.active.headers[{kAllRoutes, "x-a"}] = HeaderValue{"X-A", "v|w"};
  session.active.options[{3, "timeout"}] = "5s";
  session.active.health[3] = HealthSpec{"/health", Milliseconds{2000}, Milliseconds{500}};
  session.active.ratelimits[kAllRoutes] = RateLimitSpec{100, Milliseconds{1000}};
  session.active.circuits[3] = CircuitSpec{5, Milliseconds{30'000}, 2};
  session.staged = session.active;
  session.staged->routes.erase(3);
  session.staged->routes[4] = RouteSpec{{"c.example.com"}, "/", *parse_backend_url("https://c.internal"), 0};
  session.last_staged_at = now.steady - std::chrono::seconds(30);
  session.drain = proxy::DrainWindow{now.system - std::chrono::seconds(10), Milliseconds{60'000}};
  session.drain_completed_announced = false;
  session.maintenance.routes = {3};
  session.maintenance.excepted = {1};
  session.maintenance.backend = *parse_backend_url("http://maint:81");
  session.maintenance.entered_at = now.system - std::chrono::seconds(2);

  auto decoded = decode_session(through_store(session, now), now);
  REQUIRE(decoded.ok());
  CHECK_FALSE(decoded->legacy_layout);
  const Session& back = *decoded->session;
  CHECK(back.id == session.id);
  CHECK(back.service_name == "web");
  CHECK(back.instance_name == "web-1");
  CHECK(back.maintenance_port == 9000);
  CHECK(back.metadata == session.metadata);
  CHECK(back.lease == Lease::persistent);
  CHECK_FALSE(back.detached());
  const auto ms = [](auto time) { return std::chrono::time_point_cast<std::chrono::milliseconds>(time); };
  CHECK(ms(back.connected_at) == ms(session.connected_at));
  CHECK(ms(back.last_activity) == ms(session.last_activity));
  CHECK(ms(*back.last_apply) == ms(*session.last_apply));
  CHECK(back.active == session.active);
  REQUIRE(back.staged.has_value());
  CHECK(*back.staged == *session.staged);
  CHECK(std::chrono::abs(back.last_staged_at - session.last_staged_at) < std::chrono::milliseconds(2));
  CHECK(ms(back.drain->started_at) == ms(session.drain->started_at));
  CHECK(back.drain->duration == session.drain->duration);
  CHECK(back.maintenance.routes == session.maintenance.routes);
  CHECK(back.maintenance.excepted == session.maintenance.excepted);
  CHECK(back.maintenance.backend == session.maintenance.backend);
  CHECK(back.find_conflict(session.staged->routes[4], 0).has_value());  // the conflict index is rebuilt
}

TEST_CASE("session record: names, header values and metadata with characters JSON escapes come back") {
  const ClockReading now = ClockReading::now();
  Session session;
  session.service_name = "svc \"quoted\" \\ back";
  session.instance_name = std::string("tab\there\x01é");
  session.metadata = {{"note", "line\nbreak"}, {"nested", {{"list", {1, "two", nullptr}}}}};
  session.active.headers[{kAllRoutes, "x-q"}] = HeaderValue{"X-Q", "a \"b\" \\c"};
  session.active.options[{kAllRoutes, "timeout"}] = "5s";
  session.staged = session.active;
  session.staged->headers[{7, "x-r"}] = HeaderValue{"X-R", "|pipe|"};
  auto decoded = decode_session(record_only("s1-ab", encode_session(session, now)), now);
  REQUIRE(decoded.ok());
  const Session& back = *decoded->session;
  CHECK(back.service_name == session.service_name);
  CHECK(back.instance_name == session.instance_name);
  CHECK(back.metadata == session.metadata);
  CHECK(back.active == session.active);
  REQUIRE(back.staged.has_value());
  CHECK(*back.staged == *session.staged);
  CHECK_FALSE(back.drain.has_value());
  CHECK_FALSE(back.last_apply.has_value());
}

TEST_CASE("session record: a connection lease comes back detached since the restart") {
  const ClockReading now = ClockReading::now();
  Session session;
  session.lease = Lease::connection;
  session.holder = 42;
  auto decoded = decode_session(record_only("s1-ab", encode_session(session, now)), now);
  REQUIRE(decoded.ok());
  CHECK(decoded->session->detached());
  CHECK(decoded->session->detached_since == now.steady);
}

TEST_CASE("session record: a record that is not one is an error naming the session") {
  const ClockReading now = ClockReading::now();
  for (const std::string_view body : {"", "not json", "{}", R"({"service_name":1})", "[]"}) {
    auto decoded = decode_session(record_only("s1-0123456789", std::string(body)), now);
    REQUIRE_FALSE(decoded.ok());
    CHECK_THAT(decoded.error(), Catch::Matchers::StartsWith("stored session s1-01234… is unreadable: "));
  }
}

TEST_CASE("session record: a record of schema 1, routes inside, comes back and asks to be written again") {
  const ClockReading now = ClockReading::now();
  const std::string body = R"({"service_name":"web","instance_name":"web-1","maintenance_port":0,"metadata":{},)"
                           R"("lease":"persistent","connected_at":0,"last_activity":0,"last_apply":null,)"
                           R"("active":{"routes":[[3,["a.example.com"],"/",  "http://b:80",0]],"headers":[],)"
                           R"("options":[],"health":[],"ratelimits":[],"circuits":[]},)"
                           R"("staged":{"routes":[[4,["c.example.com"],"/x","http://c:80",2]],"headers":[],)"
                           R"("options":[],"health":[],"ratelimits":[],"circuits":[]},)"
                           R"("last_staged_at":0,"drain":null,)"
                           R"("maintenance":{"all":false,"routes":[],"backend":null,"entered_at":0}})";
  auto decoded = decode_session(record_only("s1-ab", body), now);
  REQUIRE(decoded.ok());
  CHECK(decoded->legacy_layout);
  const Session& session = *decoded->session;
  REQUIRE(session.active.routes.size() == 1);
  CHECK(session.active.routes.at(3).domains == std::vector<std::string>{"a.example.com"});
  REQUIRE(session.staged.has_value());
  REQUIRE(session.staged->routes.size() == 1);
  CHECK(session.staged->routes.at(4).priority == 2);
}

}  // namespace reg::control
