#include "daemon/proxy/upstream_pool.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = UpstreamPool::Clock;

// A connected pair of loopback sockets: `ours` as the pool would hold it,
// `backend` as the backend's end.
struct Connection {
  std::unique_ptr<WorkerStream> ours;
  tcp::socket backend;
};

class Loopback {
 public:
  Loopback() : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}

  Connection connect() {
    WorkerSocket ours(io_.get_executor());
    ours.connect(acceptor_.local_endpoint());
    return Connection{std::make_unique<WorkerStream>(std::move(ours)), acceptor_.accept()};
  }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
};

const Clock::time_point kStart = Clock::now();

}  // namespace

TEST_CASE("a connection given back is taken again, newest first", "[upstream_pool]") {
  Loopback loopback;
  UpstreamPool pool(4, Milliseconds(4000));
  auto first = loopback.connect();
  auto second = loopback.connect();
  const auto second_port = second.ours->socket().local_endpoint().port();
  pool.give_back(UpstreamAddress{"b", 80}, std::move(first.ours), kStart);
  pool.give_back(UpstreamAddress{"b", 80}, std::move(second.ours), kStart);
  CHECK(pool.idle_count() == 2);

  auto taken = pool.take(UpstreamAddress{"b", 80}, kStart);
  REQUIRE(taken);
  CHECK((*taken)->socket().local_endpoint().port() == second_port);
  CHECK_FALSE(pool.take(UpstreamAddress{"other", 80}, kStart));
  CHECK_FALSE(pool.take(UpstreamAddress{"b", 8080}, kStart));
  CHECK(pool.idle_count() == 1);
}

TEST_CASE("a connection the backend closed is not handed out", "[upstream_pool]") {
  Loopback loopback;
  UpstreamPool pool(4, Milliseconds(4000));
  auto connection = loopback.connect();
  pool.give_back(UpstreamAddress{"b", 80}, std::move(connection.ours), kStart);
  connection.backend.close();
  CHECK_FALSE(pool.take(UpstreamAddress{"b", 80}, kStart));
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("a connection in use a moment ago is handed out unchecked only to a caller that can resend",
          "[upstream_pool]") {
  Loopback loopback;
  UpstreamPool pool(4, Milliseconds(4000));
  auto connection = loopback.connect();
  pool.give_back(UpstreamAddress{"b", 80}, std::move(connection.ours), kStart);
  connection.backend.close();
  CHECK(pool.take(UpstreamAddress{"b", 80}, kStart + kFreshIdle / 2, ReuseCheck::unless_fresh));

  auto other = loopback.connect();
  pool.give_back(UpstreamAddress{"b", 80}, std::move(other.ours), kStart);
  other.backend.close();
  CHECK_FALSE(pool.take(UpstreamAddress{"b", 80}, kStart + kFreshIdle, ReuseCheck::unless_fresh));
}

TEST_CASE("a connection with unexpected bytes waiting is not handed out", "[upstream_pool]") {
  Loopback loopback;
  UpstreamPool pool(4, Milliseconds(4000));
  auto connection = loopback.connect();
  pool.give_back(UpstreamAddress{"b", 80}, std::move(connection.ours), kStart);
  asio::write(connection.backend, asio::buffer(std::string_view("HTTP/1.1 408 Request Timeout\r\n\r\n")));
  CHECK_FALSE(pool.take(UpstreamAddress{"b", 80}, kStart));
}

TEST_CASE("idle connections expire", "[upstream_pool]") {
  Loopback loopback;
  UpstreamPool pool(4, Milliseconds(4000));
  auto old_one = loopback.connect();
  auto new_one = loopback.connect();
  pool.give_back(UpstreamAddress{"b", 80}, std::move(old_one.ours), kStart);
  pool.give_back(UpstreamAddress{"b", 80}, std::move(new_one.ours), kStart + std::chrono::seconds(3));

  pool.close_expired(kStart + std::chrono::seconds(5));
  CHECK(pool.idle_count() == 1);
  CHECK_FALSE(pool.take(UpstreamAddress{"b", 80}, kStart + std::chrono::seconds(8)));
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("each key keeps at most the maximum, dropping the longest idle", "[upstream_pool]") {
  Loopback loopback;
  UpstreamPool pool(2, Milliseconds(4000));
  std::vector<Connection> connections;
  for (int i = 0; i < 3; ++i) connections.push_back(loopback.connect());
  const auto first_port = connections[0].ours->socket().local_endpoint().port();
  for (auto& connection : connections) pool.give_back(UpstreamAddress{"b", 80}, std::move(connection.ours), kStart);
  CHECK(pool.idle_count() == 2);
  while (auto taken = pool.take(UpstreamAddress{"b", 80}, kStart)) CHECK((*taken)->socket().local_endpoint().port() != first_port);
}

TEST_CASE("close_all empties the pool", "[upstream_pool]") {
  Loopback loopback;
  UpstreamPool pool(4, Milliseconds(4000));
  auto connection = loopback.connect();
  pool.give_back(UpstreamAddress{"b", 80}, std::move(connection.ours), kStart);
  pool.close_all();
  CHECK(pool.idle_count() == 0);
  CHECK_FALSE(pool.take(UpstreamAddress{"b", 80}, kStart));
}

}  // namespace reg::proxy
