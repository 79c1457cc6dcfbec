// Housekeeping looks only at the sessions this index says are due: a session
// missing from it, or due too late, would never expire (a detached lease
// kept forever, staged changes never discarded, a drain never announced).
#include <catch2/catch.hpp>

#include "daemon/control/session_deadlines.hpp"

namespace reg::control {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;
const SessionDeadlines::Time t0 = std::chrono::steady_clock::now();

}  // namespace

TEST_CASE("session deadlines: due sessions come out earliest first, the rest stay") {
  SessionDeadlines deadlines;
  deadlines.set("c", t0 + 3s);
  deadlines.set("a", t0 + 1s);
  deadlines.set("b", t0 + 2s);
  CHECK(deadlines.take_due(t0).empty());
  CHECK(deadlines.take_due(t0 + 2s) == Strings{"a", "b"});  // a deadline equal to now is due
  CHECK(deadlines.size() == 1);
  CHECK(deadlines.take_due(t0 + 2s).empty());  // taken ones are gone
  CHECK(deadlines.take_due(t0 + 10s) == Strings{"c"});
  CHECK(deadlines.size() == 0);
}

TEST_CASE("session deadlines: setting a session again moves its one deadline") {
  SessionDeadlines deadlines;
  deadlines.set("a", t0 + 1s);
  deadlines.set("a", t0 + 5s);  // later: not due at the old time
  CHECK(deadlines.size() == 1);
  CHECK(deadlines.take_due(t0 + 1s).empty());
  deadlines.set("a", t0 + 2s);  // earlier again
  deadlines.set("a", t0 + 2s);  // the same: still one entry
  CHECK(deadlines.take_due(t0 + 2s) == Strings{"a"});
  CHECK(deadlines.take_due(t0 + 10s).empty());
}

TEST_CASE("session deadlines: an erased session is never due, and erasing an unknown one changes nothing") {
  SessionDeadlines deadlines;
  deadlines.set("a", t0 + 1s);
  deadlines.set("b", t0 + 1s);
  deadlines.erase("a");
  deadlines.erase("never-set");
  CHECK(deadlines.size() == 1);
  CHECK(deadlines.take_due(t0 + 1s) == Strings{"b"});
}

TEST_CASE("session deadlines: many sessions with one deadline all come out") {
  SessionDeadlines deadlines;
  for (int i = 0; i < 1000; ++i) deadlines.set("s" + std::to_string(i), t0 + 1s);
  deadlines.set("late", t0 + 2s);
  CHECK(deadlines.take_due(t0 + 1s).size() == 1000);
  CHECK(deadlines.take_due(t0 + 2s) == Strings{"late"});
}

}  // namespace reg::control
