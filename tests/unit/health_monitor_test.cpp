#include "silent_server.hpp"
#include "daemon/control/health_monitor.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using reg::BackendUrl;
using reg::Milliseconds;
using reg::StatusRange;
using reg::control::HealthChange;
using reg::control::HealthCheckSpec;
using reg::control::HealthMonitor;

using reg::test::SilentServer;

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

const asio::ip::address kLoopback = asio::ip::make_address("127.0.0.1");

// A loopback backend that answers the n-th request (counted from 1) with the
// status `status_for(n)`, so a test scripts how the backend's health moves
// and knows exactly how many probes it took.
class ScriptedServer {
 public:
  ScriptedServer(asio::io_context& io, std::function<int(int)> status_for)
      : acceptor_(io, tcp::endpoint(kLoopback, 0)) {
    state_->status_for = std::move(status_for);
    accept();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int requests() const { return static_cast<int>(state_->targets.size()); }
  int requests_for(const std::string& target) const {
    return static_cast<int>(std::count(state_->targets.begin(), state_->targets.end(), target));
  }

 private:
  struct State {
    std::function<int(int)> status_for;
    std::vector<std::string> targets;  // request targets in arrival order
  };

  void accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket accepted) {
      if (ec) return;
      answer(std::make_shared<tcp::socket>(std::move(accepted)), state_);
      accept();
    });
  }

  static void answer(std::shared_ptr<tcp::socket> socket, std::shared_ptr<State> state) {
    auto received = std::make_shared<asio::streambuf>();
    asio::async_read_until(*socket, *received, "\r\n\r\n", [socket, received, state](error_code ec, std::size_t) {
      if (ec) return;
      std::istream request(received.get());
      std::string method, target;
      request >> method >> target;
      state->targets.push_back(target);
      const int status = state->status_for(static_cast<int>(state->targets.size()));
      auto response = std::make_shared<std::string>("HTTP/1.1 " + std::to_string(status) +
                                                    " Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      asio::async_write(*socket, asio::buffer(*response), [socket, response](error_code, std::size_t) {
        error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  }

  tcp::acceptor acceptor_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

std::uint16_t closed_port(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(kLoopback, 0));
  return acceptor.local_endpoint().port();
}

BackendUrl local_backend(std::uint16_t port) { return BackendUrl{"http", "127.0.0.1", port, ""}; }

HealthCheckSpec check(std::uint64_t route, std::uint16_t port, std::string path = "/health",
                      Milliseconds interval = 50ms, Milliseconds timeout = 1s) {
  HealthCheckSpec spec;
  spec.route_number = route;
  spec.backend = local_backend(port);
  spec.path = std::move(path);
  spec.interval = interval;
  spec.timeout = timeout;
  return spec;
}

// Every change the monitor reported, with how many requests the backend had
// seen at that moment.
struct Recorded {
  HealthChange change;
  int requests_seen = 0;
};

// Runs the io_context until `done` holds; false when `limit` ran out first.
bool run_until(asio::io_context& io, const std::function<bool()>& done, Milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

void run_for(asio::io_context& io, Milliseconds duration) {
  io.restart();
  io.run_for(duration);
}

}  // namespace

TEST_CASE("health monitor: a backend falls unhealthy after exactly `fall` failed checks") {
  asio::io_context io;
  ScriptedServer server(io, [](int) { return 500; });
  std::vector<Recorded> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) { changes.push_back({change, server.requests()}); });

  auto spec = check(1, server.port());
  spec.fall = 3;
  monitor.reconcile({spec});
  auto health = monitor.health_of(1);
  REQUIRE(health);
  CHECK(health->healthy());

  REQUIRE(run_until(io, [&] { return !changes.empty(); }));
  CHECK(changes[0].requests_seen == 3);
  CHECK(changes[0].change.route_number == 1);
  CHECK(changes[0].change.backend == local_backend(server.port()).to_string());
  CHECK_FALSE(changes[0].change.healthy);
  CHECK(changes[0].change.reason == "status 500");
  CHECK_FALSE(health->healthy());
  CHECK(server.requests_for("/health") == server.requests());
}

TEST_CASE("health monitor: recovers after `rise` passes in a row, a failure restarts the count") {
  asio::io_context io;
  // Unhealthy at the 2nd check; the pass at 3 is undone by the failure at 4;
  // passes at 5 and 6 make it healthy again.
  const std::vector<int> script{500, 500, 200, 500, 200, 200};
  ScriptedServer server(io, [&](int n) { return n <= static_cast<int>(script.size()) ? script[n - 1] : 200; });
  std::vector<Recorded> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) { changes.push_back({change, server.requests()}); });

  auto spec = check(7, server.port());
  spec.fall = 2;
  spec.rise = 2;
  monitor.reconcile({spec});

  REQUIRE(run_until(io, [&] { return changes.size() == 2; }));
  CHECK(changes[0].requests_seen == 2);
  CHECK_FALSE(changes[0].change.healthy);
  CHECK(changes[0].change.reason == "status 500");
  CHECK(changes[1].requests_seen == 6);
  CHECK(changes[1].change.healthy);
  CHECK(changes[1].change.reason == "status 200");
  CHECK(monitor.health_of(7)->healthy());
}

TEST_CASE("health monitor: health_status decides which statuses pass") {
  asio::io_context io;
  ScriptedServer server(io, [](int) { return 302; });
  std::vector<Recorded> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) { changes.push_back({change, server.requests()}); });

  auto spec = check(1, server.port());
  spec.fall = 1;
  spec.expected = StatusRange{200, 299};
  monitor.reconcile({spec});

  REQUIRE(run_until(io, [&] { return !changes.empty(); }));
  CHECK(changes[0].requests_seen == 1);
  CHECK(changes[0].change.reason == "status 302");
}

TEST_CASE("health monitor: a closed port fails with the reason connection refused") {
  asio::io_context io;
  std::vector<HealthChange> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) { changes.push_back(change); });

  auto spec = check(3, closed_port(io));
  spec.fall = 1;
  monitor.reconcile({spec});

  REQUIRE(run_until(io, [&] { return !changes.empty(); }));
  CHECK_FALSE(changes[0].healthy);
  CHECK(changes[0].reason == "connection refused");
  CHECK_FALSE(monitor.health_of(3)->healthy());
}

TEST_CASE("health monitor: a backend that never answers fails with the reason timeout") {
  asio::io_context io;
  SilentServer server(io);
  std::vector<HealthChange> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) { changes.push_back(change); });

  auto spec = check(4, server.port(), "/health", 150ms, 100ms);
  spec.fall = 1;
  monitor.reconcile({spec});

  REQUIRE(run_until(io, [&] { return !changes.empty(); }));
  CHECK_FALSE(changes[0].healthy);
  CHECK(changes[0].reason == "timeout");
}

TEST_CASE("health monitor: routes with the same backend and path share one checker") {
  asio::io_context io;
  ScriptedServer server(io, [](int) { return 500; });
  std::vector<Recorded> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) {
    changes.push_back({change, server.requests_for("/health")});
  });

  // The first route's fall (2) rules; the second route's shorter interval
  // sets the pace, or the first check could wait up to 10 s.
  auto first = check(1, server.port(), "/health", 10s, 1s);
  first.fall = 2;
  auto second = check(2, server.port(), "/health", 50ms, 1s);
  second.fall = 5;
  auto other_path = check(3, server.port(), "/other");
  other_path.fall = 100;
  monitor.reconcile({first, second, other_path});

  REQUIRE(monitor.health_of(1) == monitor.health_of(2));
  REQUIRE(monitor.health_of(1) != monitor.health_of(3));

  REQUIRE(run_until(io, [&] { return changes.size() == 2; }));
  // Two checks reached /health when the shared state flipped, not two per
  // route, and both routes heard of it at that moment.
  for (const Recorded& recorded : changes) {
    CHECK_FALSE(recorded.change.healthy);
    CHECK(recorded.change.reason == "status 500");
  }
  CHECK(changes[0].change.route_number == 1);
  CHECK(changes[1].change.route_number == 2);
  CHECK(changes[0].requests_seen == 2);
  CHECK(changes[1].requests_seen == 2);
  CHECK_FALSE(monitor.health_of(2)->healthy());
  CHECK(monitor.health_of(3)->healthy());
}

TEST_CASE("health monitor: a checker still wanted keeps its state across reconciles") {
  asio::io_context io;
  ScriptedServer server(io, [](int) { return 500; });
  std::vector<HealthChange> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) { changes.push_back(change); });

  auto spec = check(1, server.port());
  spec.fall = 1;
  monitor.reconcile({spec});
  REQUIRE(run_until(io, [&] { return !changes.empty(); }));
  const auto health = monitor.health_of(1);

  auto joining = check(2, server.port());
  monitor.reconcile({spec, joining});
  CHECK(monitor.health_of(1) == health);
  CHECK(monitor.health_of(2) == health);
  CHECK_FALSE(health->healthy());

  const int seen = server.requests();
  REQUIRE(run_until(io, [&] { return server.requests() >= seen + 2; }));
  CHECK(changes.size() == 1);
}

TEST_CASE("health monitor: a reconcile that removes a check stops its probes") {
  asio::io_context io;
  ScriptedServer server(io, [](int) { return 200; });
  HealthMonitor monitor(io, [](const HealthChange&) {});

  monitor.reconcile({check(1, server.port(), "/removed"), check(2, server.port(), "/kept")});
  REQUIRE(run_until(io, [&] { return server.requests_for("/removed") >= 2; }));

  monitor.reconcile({check(2, server.port(), "/kept")});
  CHECK(monitor.health_of(1) == nullptr);
  REQUIRE(monitor.health_of(2));
  // A probe already on its way may still arrive; nothing is sent after it.
  const int removed_before = server.requests_for("/removed");
  const int kept_before = server.requests_for("/kept");
  REQUIRE(run_until(io, [&] { return server.requests_for("/kept") >= kept_before + 5; }));
  CHECK(server.requests_for("/removed") <= removed_before + 1);
}

TEST_CASE("health monitor: no change is reported after stop, even for a probe in flight") {
  asio::io_context io;
  SilentServer server(io);
  std::vector<HealthChange> changes;
  HealthMonitor monitor(io, [&](const HealthChange& change) { changes.push_back(change); });

  auto spec = check(1, server.port(), "/health", 200ms, 100ms);
  spec.fall = 1;
  monitor.reconcile({spec});
  REQUIRE(run_until(io, [&] { return server.connections() == 1; }));

  monitor.stop();
  CHECK(monitor.health_of(1) == nullptr);
  run_for(io, 400ms);
  CHECK(changes.empty());
  CHECK(server.connections() == 1);

  monitor.reconcile({spec});
  CHECK(monitor.health_of(1) == nullptr);
}

TEST_CASE("health monitor: stopping from on_change ends the notifications at once") {
  asio::io_context io;
  ScriptedServer server(io, [](int) { return 500; });
  std::vector<HealthChange> changes;
  HealthMonitor* stopping = nullptr;
  HealthMonitor monitor(io, [&](const HealthChange& change) {
    changes.push_back(change);
    stopping->stop();
  });
  stopping = &monitor;

  auto first = check(1, server.port());
  first.fall = 1;
  monitor.reconcile({first, check(2, server.port())});

  REQUIRE(run_until(io, [&] { return !changes.empty(); }));
  run_for(io, 200ms);
  CHECK(changes.size() == 1);
  CHECK(server.requests() == 1);
}

TEST_CASE("health monitor: health_of is nullptr for a route without a check") {
  asio::io_context io;
  HealthMonitor monitor(io, [](const HealthChange&) {});
  CHECK(monitor.health_of(1) == nullptr);

  monitor.reconcile({check(1, closed_port(io))});
  CHECK(monitor.health_of(1) != nullptr);
  CHECK(monitor.health_of(2) == nullptr);
}
