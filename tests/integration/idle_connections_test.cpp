// Ten thousand idle control connections (clients holding leases and event
// subscriptions) must not starve a new client: regd's control thread keeps
// answering. Not a timing test: the bound is generous, the point is that the
// new client is served at all.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "common/client_connection.hpp"
#include "daemon/net/open_file_limit.hpp"
#include "support/eventually.hpp"
#include "support/metrics_scrape.hpp"
#include "support/regd_process.hpp"

namespace reg::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kIdleConnections = 10'000;
// Sockets of the test itself besides the idle connections: the new client,
// metrics scrapes, Catch's and the runtime's own descriptors.
constexpr std::size_t kSpareDescriptors = 100;
constexpr Milliseconds kPongBound{5'000};

}  // namespace

TEST_CASE("limits: with 10,000 idle control connections open a new client still gets PONG", "[limits][scale]") {
  const unsigned long open_files = net::raise_open_file_limit();
  INFO("this test needs " << kIdleConnections + kSpareDescriptors << " open files; the hard limit allows "
                          << open_files << " (raise it with ulimit -Hn)");
  REQUIRE(open_files >= kIdleConnections + kSpareDescriptors);
  // One more than the idle ones, for the new client.
  RegdProcess regd({"--max-connections", std::to_string(kIdleConnections + 1)});

  std::vector<ClientConnection> idle;
  idle.reserve(kIdleConnections);
  for (std::size_t i = 0; i < kIdleConnections; ++i) {
    auto connection = ClientConnection::connect(regd.control(), 10'000ms);
    INFO("idle connection " << i << ": " << (connection ? "" : connection.error()));
    REQUIRE(connection.ok());
    idle.push_back(std::move(*connection));
  }
  // The metrics page's count includes only connections regd has accepted.
  CHECK(eventually([&] {
    return MetricsScrape::fetch(regd.admin()).value("regd_control_connections") == double(kIdleConnections);
  }));

  auto fresh = ClientConnection::connect(regd.control(), kPongBound);
  REQUIRE(fresh.ok());
  const auto pong = fresh->request("PING", kPongBound);
  INFO((pong ? *pong : pong.error()));
  CHECK((pong.ok() && *pong == "PONG"));
  // The idle ones were held, not dropped to make room.
  for (auto* held : {&idle.front(), &idle.back()}) {
    const auto reply = held->request("PING", kPongBound);
    CHECK((reply.ok() && *reply == "PONG"));
  }
}

}  // namespace reg::test
