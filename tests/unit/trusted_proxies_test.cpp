#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "daemon/proxy/trusted_proxies.hpp"

using reg::proxy::TrustedProxies;

namespace {

boost::asio::ip::address ip(std::string_view text) { return boost::asio::ip::make_address(std::string(text)); }

TrustedProxies trusting(std::string_view networks) { return TrustedProxies(*reg::parse_cidr_list(networks)); }

// The client behind `peer` for a request carrying these X-Forwarded-For fields.
std::string client(const TrustedProxies& trusted, std::string_view peer,
                   std::initializer_list<std::string_view> forwarded_for) {
  return trusted.client_behind(std::vector<std::string_view>(forwarded_for), ip(peer));
}

}  // namespace

TEST_CASE("trusted proxies: membership by network, IPv4-mapped peers as IPv4") {
  const auto trusted = trusting("10.0.0.0/8,fd00::/8");
  CHECK(trusted.contains(ip("10.9.8.7")));
  CHECK(trusted.contains(ip("::ffff:10.9.8.7")));
  CHECK(trusted.contains(ip("fd12::1")));
  CHECK_FALSE(trusted.contains(ip("11.0.0.1")));
  CHECK_FALSE(trusted.contains(ip("2001:db8::1")));
  CHECK_FALSE(TrustedProxies().contains(ip("127.0.0.1")));
}

TEST_CASE("trusted proxies: the right-most untrusted X-Forwarded-For address is the client") {
  const auto trusted = trusting("10.0.0.0/8");
  CHECK(client(trusted, "10.0.0.1", {"203.0.113.7"}) == "203.0.113.7");
  // A client may write anything on the left; only what trusted hops added counts.
  CHECK(client(trusted, "10.0.0.1", {"1.1.1.1, 203.0.113.7, 10.0.0.2"}) == "203.0.113.7");
  CHECK(client(trusted, "10.0.0.1", {"1.1.1.1,203.0.113.7", "10.0.0.2"}) == "203.0.113.7");
  CHECK(client(trusted, "10.0.0.1", {" 2001:db8::5 "}) == "2001:db8::5");
  CHECK(client(trusted, "10.0.0.1", {"::ffff:198.51.100.1"}) == "198.51.100.1");
}

TEST_CASE("trusted proxies: without a usable X-Forwarded-For the last trusted address stands") {
  const auto trusted = trusting("10.0.0.0/8");
  CHECK(client(trusted, "10.0.0.1", {}) == "10.0.0.1");
  CHECK(client(trusted, "10.0.0.1", {""}) == "10.0.0.1");
  CHECK(client(trusted, "10.0.0.1", {"10.0.0.2, 10.0.0.3"}) == "10.0.0.2");
  CHECK(client(trusted, "10.0.0.1", {"203.0.113.7, unknown"}) == "10.0.0.1");
  CHECK(client(trusted, "10.0.0.1", {"203.0.113.7, 10.0.0.2:8080"}) == "10.0.0.1");
  CHECK(client(trusted, "10.0.0.1", {"203.0.113.7,,10.0.0.2"}) == "10.0.0.2");
}

TEST_CASE("trusted proxies: an untrusted peer is the client whatever it forwards") {
  const auto trusted = trusting("10.0.0.0/8");
  CHECK(client(trusted, "192.0.2.1", {"203.0.113.7"}) == "192.0.2.1");
  CHECK(client(TrustedProxies(), "::ffff:192.0.2.1", {"203.0.113.7"}) == "192.0.2.1");
}
