// PROTOCOL.md §4: sessions, their ids, leases and expiry.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"
#include "support/utc_timestamp.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::StartsWith;

bool looks_like_session_id(const std::string& id) {
  if (id.size() < 22 || id.front() == '#') return false;
  for (const char c : id) {
    if (c <= ' ' || c > '~' || c == '|') return false;
  }
  return true;
}

}  // namespace

TEST_CASE("sessions: REGISTER answers ACK with a fresh session id") {
  RegdProcess regd;
  Control control(regd.control());

  const auto reply = control.send("REGISTER|svc|i1|9000|{}");
  REQUIRE_THAT(reply, StartsWith("ACK|"));
  const auto session = reply.substr(4);
  CHECK(looks_like_session_id(session));

  const auto other = control.register_session("svc", "i2");
  CHECK(looks_like_session_id(other));
  CHECK(other != session);
}

TEST_CASE("sessions: REGISTER without metadata uses a connection lease") {
  RegdProcess regd;
  Control control(regd.control());

  const auto reply = control.send("REGISTER|svc|i1|9000");
  REQUIRE_THAT(reply, StartsWith("ACK|"));
  CHECK(reply_json(control.send("SESSION_INFO|" + reply.substr(4)), "SESSION_OK")["lease"] == "connection");
}

TEST_CASE("sessions: REGISTER checks its values") {
  RegdProcess regd;
  Control control(regd.control());

  CHECK_THAT(control.send("REGISTER|svc|i1|9000|{bad"), StartsWith("ERROR|invalid metadata json"));
  CHECK_THAT(control.send("REGISTER|svc|i1|9000|[1,2]"), StartsWith("ERROR|invalid metadata json"));
  CHECK_THAT(control.send("REGISTER|svc|i1|http|{}"), StartsWith("ERROR|invalid "));
  CHECK_THAT(control.send("REGISTER|svc|i1|70000|{}"), StartsWith("ERROR|invalid "));
  CHECK(control.send("SESSION_LIST") == "SESSION_LIST_OK|[]");
}

TEST_CASE("sessions: registering the same service and instance again replaces the session") {
  RegdProcess regd;
  Control control(regd.control());
  const auto old_session = control.register_session("svc", "i1", persistent_lease);
  control.add_route(old_session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + old_session) == "OK");
  const auto neighbour = control.register_session("svc", "i2", persistent_lease);

  const auto new_session = control.register_session("svc", "i1", persistent_lease);
  CHECK(new_session != old_session);
  CHECK(control.send("SESSION_INFO|" + old_session) == "ERROR|session not found");
  CHECK(control.send("PING|" + old_session) == "ERROR|session not found");
  CHECK(control.send("RECONNECT|" + old_session) == "REREGISTER");
  CHECK(control.send("ROUTE_LIST|" + new_session) == "ROUTE_LIST_OK|[]");
  CHECK(control.send("ROUTE_TABLE") == "ROUTE_TABLE_OK|[]");
  CHECK(control.send("PING|" + neighbour) == "PONG");
}

TEST_CASE("sessions: SESSION_INFO describes the session") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("billing", "pod-7", R"({"version":"1.4.2","zone":"eu"})");

  auto info = reply_json(control.send("SESSION_INFO|" + session), "SESSION_OK");
  CHECK(info["session_id"] == session);
  CHECK(info["service_name"] == "billing");
  CHECK(info["instance_name"] == "pod-7");
  CHECK(info["maintenance_port"] == 9000);
  CHECK(info["lease"] == "connection");
  CHECK(info["state"] == "attached");
  CHECK(is_utc_timestamp(info["connected_at"].get<std::string>()));
  CHECK(is_utc_timestamp(info["last_activity"].get<std::string>()));
  CHECK(info["uptime_seconds"].is_number());
  CHECK(info["uptime_seconds"] >= 0);
  CHECK(info["routes_active"] == 0);
  CHECK(info["routes_staged"] == 0);
  CHECK(info["last_apply"].is_null());
  CHECK(info["metadata"] == nlohmann::json{{"version", "1.4.2"}, {"zone", "eu"}});

  control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  control.add_route(session, "b.com", "/", "http://127.0.0.1:9000");
  info = reply_json(control.send("SESSION_INFO|" + session), "SESSION_OK");
  CHECK(info["routes_active"] == 0);
  CHECK(info["routes_staged"] == 2);

  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  info = reply_json(control.send("SESSION_INFO|" + session), "SESSION_OK");
  CHECK(info["routes_active"] == 2);
  CHECK(info["routes_staged"] == 0);
  CHECK(is_utc_timestamp(info["last_apply"].get<std::string>()));
}

TEST_CASE("sessions: PING with and without a session") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");

  CHECK(control.send("PING") == "PONG");
  CHECK(control.send("PING|") == "PONG");
  CHECK(control.send("PING|" + session) == "PONG");
  CHECK(control.send("PING|nosuch") == "ERROR|session not found");
}

TEST_CASE("sessions: CLIENT_SHUTDOWN ends the session and removes its routes") {
  RegdProcess regd;
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
  REQUIRE(control.send("ROUTE_TABLE") != "ROUTE_TABLE_OK|[]");

  CHECK(control.send("CLIENT_SHUTDOWN|" + session) == "SHUTDOWN_OK");
  CHECK(control.send("SESSION_INFO|" + session) == "ERROR|session not found");
  CHECK(control.send("PING|" + session) == "ERROR|session not found");
  CHECK(control.send("CLIENT_SHUTDOWN|" + session) == "ERROR|session not found");
  CHECK(control.send("RECONNECT|" + session) == "REREGISTER");
  CHECK(control.send("ROUTE_TABLE") == "ROUTE_TABLE_OK|[]");
}

TEST_CASE("sessions: every command may come on a new connection") {
  RegdProcess regd;
  Control holder(regd.control());
  const auto session = holder.register_session("svc", "i1");

  CHECK_THAT(Control(regd.control()).send("ROUTE_ADD|" + session + "|a.com|/|http://127.0.0.1:9000|0"),
             StartsWith("ROUTE_OK|r"));
  CHECK(Control(regd.control()).send("CONFIG_APPLY|" + session) == "OK");
  const auto routes = reply_json(Control(regd.control()).send("ROUTE_LIST|" + session), "ROUTE_LIST_OK");
  REQUIRE(routes.size() == 1);
  CHECK(routes[0]["status"] == "active");
  CHECK(Control(regd.control()).send("PING|" + session) == "PONG");
  CHECK(holder.session_state(session) == "attached");
}

TEST_CASE("sessions: a connection-lease session detaches when its connection closes") {
  RegdProcess regd;
  Control observer(regd.control());
  std::string session;
  {
    Control holder(regd.control());
    session = holder.register_session("svc", "i1");
    CHECK(observer.session_state(session) == "attached");
  }
  CHECK(eventually([&] { return observer.session_state(session) == "detached"; }));

  // Commands from other connections do not reattach it.
  CHECK(observer.send("PING|" + session) == "PONG");
  CHECK(observer.session_state(session) == "detached");

  Control reconnecting(regd.control());
  CHECK(reconnecting.send("RECONNECT|" + session) == "OK");
  CHECK(observer.session_state(session) == "attached");
}

TEST_CASE("sessions: RECONNECT moves the session to the new connection") {
  RegdProcess regd;
  Control observer(regd.control());
  auto first = std::make_unique<Control>(regd.control());
  const auto session = first->register_session("svc", "moved");
  // Closes with `first`; once it is detached, the close has been handled.
  const auto witness = first->register_session("svc", "witness");

  Control second(regd.control());
  REQUIRE(second.send("RECONNECT|" + session) == "OK");
  first.reset();
  REQUIRE(eventually([&] { return observer.session_state(witness) == "detached"; }));
  CHECK(observer.session_state(session) == "attached");

  second.close();
  CHECK(eventually([&] { return observer.session_state(session) == "detached"; }));
}

TEST_CASE("sessions: a detached session expires after the grace period") {
  RegdProcess regd({"--session-grace", "1s"});
  Control observer(regd.control());
  std::string session;
  {
    Control holder(regd.control());
    session = holder.register_session("svc", "i1");
    holder.add_route(session, "a.com", "/", "http://127.0.0.1:9000");
    REQUIRE(holder.send("CONFIG_APPLY|" + session) == "OK");
    REQUIRE(observer.send("SUBSCRIBE|" + session + "|session_expired") == "SUBSCRIBE_OK");
  }

  const auto event = reply_json(observer.next_line(Milliseconds{20'000}), "EVENT|session_expired");
  CHECK(event == nlohmann::json{{"service_name", "svc"}, {"instance_name", "i1"}});
  CHECK(observer.send("SESSION_INFO|" + session) == "ERROR|session not found");
  CHECK(observer.send("RECONNECT|" + session) == "REREGISTER");
  CHECK(observer.send("ROUTE_TABLE") == "ROUTE_TABLE_OK|[]");
}

TEST_CASE("sessions: a persistent session stays attached when its connection closes") {
  RegdProcess regd({"--session-grace", "1s"});
  Control observer(regd.control());
  std::string session;
  std::string witness;
  {
    Control holder(regd.control());
    session = holder.register_session("svc", "persistent", persistent_lease);
    witness = holder.register_session("svc", "witness");
  }
  // The witness leaves with the same connection: once it has expired, the close
  // has long been handled.
  REQUIRE(eventually([&] { return observer.send("SESSION_INFO|" + witness) == "ERROR|session not found"; }));

  const auto info = reply_json(observer.send("SESSION_INFO|" + session), "SESSION_OK");
  CHECK(info["state"] == "attached");
  CHECK(info["lease"] == "persistent");
  CHECK(observer.send("RECONNECT|" + session) == "OK");
}

TEST_CASE("sessions: RECONNECT of an unknown id answers REREGISTER") {
  RegdProcess regd;
  Control control(regd.control());

  CHECK(control.send("RECONNECT|never-registered-0123456789abcdef") == "REREGISTER");
}

}  // namespace reg::test
