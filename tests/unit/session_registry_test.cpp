// The registry's indexes answer what users see: which sessions a closing
// connection detaches, which session a name (re-REGISTER) replaces, and that
// ids are fresh, unguessable and never repeated.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "daemon/control/session_registry.hpp"

namespace reg::control {
namespace {

Session& add_session(SessionRegistry& registry, std::string service, std::string instance, Lease lease) {
  auto session = std::make_unique<Session>();
  session->service_name = std::move(service);
  session->instance_name = std::move(instance);
  session->lease = lease;
  return registry.add(std::move(session));
}

std::set<std::string> ids_of(const std::vector<Session*>& sessions) {
  std::set<std::string> ids;
  for (const Session* session : sessions) ids.insert(session->id);
  return ids;
}

}  // namespace

TEST_CASE("session registry: a closing connection releases exactly the connection-lease sessions it holds") {
  SessionRegistry registry;
  Session& a = add_session(registry, "svc", "a", Lease::connection);
  Session& b = add_session(registry, "svc", "b", Lease::connection);
  Session& other = add_session(registry, "svc", "other", Lease::connection);
  Session& persistent = add_session(registry, "svc", "persistent", Lease::persistent);
  registry.hold(a, 1);
  registry.hold(b, 1);
  registry.hold(other, 2);
  registry.hold(persistent, 1);
  CHECK(persistent.holder == kNoConnection);  // nothing detaches a persistent session

  CHECK(ids_of(registry.release_held(1)) == std::set<std::string>{a.id, b.id});
  CHECK(a.holder == kNoConnection);
  CHECK(b.holder == kNoConnection);
  CHECK(other.holder == 2);
  CHECK(registry.release_held(1).empty());  // released once
  CHECK(ids_of(registry.release_held(2)) == std::set<std::string>{other.id});
}

TEST_CASE("session registry: a session held again (RECONNECT) leaves its old connection") {
  SessionRegistry registry;
  Session& moved = add_session(registry, "svc", "moved", Lease::connection);
  Session& stays = add_session(registry, "svc", "stays", Lease::connection);
  registry.hold(moved, 1);
  registry.hold(stays, 1);
  registry.hold(moved, 2);
  CHECK(ids_of(registry.release_held(1)) == std::set<std::string>{stays.id});
  registry.hold(moved, 2);  // the same connection again changes nothing
  CHECK(ids_of(registry.release_held(2)) == std::set<std::string>{moved.id});
}

TEST_CASE("session registry: an erased session is released by no connection and found by no name") {
  SessionRegistry registry;
  Session& gone = add_session(registry, "svc", "i1", Lease::connection);
  const std::string gone_id = gone.id;
  registry.hold(gone, 1);
  registry.erase(gone_id);
  CHECK(registry.release_held(1).empty());
  CHECK(registry.find(gone_id) == nullptr);
  CHECK(registry.find_by_name("svc", "i1") == nullptr);
}

TEST_CASE("session registry: the newest session of a name is the one found, also after the older one goes") {
  SessionRegistry registry;
  Session& older = add_session(registry, "svc", "i1", Lease::persistent);
  const std::string older_id = older.id;
  Session& newer = add_session(registry, "svc", "i1", Lease::persistent);
  CHECK(registry.find_by_name("svc", "i1") == &newer);
  registry.erase(older_id);
  CHECK(registry.find_by_name("svc", "i1") == &newer);
  CHECK(registry.find_by_name("svc", "i2") == nullptr);
  CHECK(registry.find_by_name("svc2", "i1") == nullptr);
  CHECK(registry.find(std::string_view(newer.id)) == &newer);
}

TEST_CASE("session registry: ids count up and carry 32 random hex digits, never the same twice") {
  SessionRegistry registry;
  std::set<std::string> randoms;
  for (int i = 1; i <= 1000; ++i) {
    const Session& session = add_session(registry, "svc", "i" + std::to_string(i), Lease::persistent);
    const std::string prefix = "s" + std::to_string(i) + "-";
    REQUIRE(session.id.rfind(prefix, 0) == 0);
    const std::string random = session.id.substr(prefix.size());
    REQUIRE(random.size() == 32);
    CHECK(std::all_of(random.begin(), random.end(), [](char c) { return std::isxdigit(c) && !std::isupper(c); }));
    randoms.insert(random);
  }
  CHECK(randoms.size() == 1000);
  CHECK(registry.counters().sessions_created == 1000);
}

}  // namespace reg::control
