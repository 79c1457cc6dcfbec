#pragma once
// Which client a request comes from when regd sits behind other proxies
// (--trusted-proxies). A load balancer in front would otherwise make every
// client share its one address in the rate limiter; X-Forwarded-For names the
// real client, but only a proxy regd trusts may say so.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "common/value_parsers.hpp"

namespace reg::proxy {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<Cidr> networks) : networks_(std::move(networks)) {}

  // An IPv4-mapped IPv6 address (a dual-stack listener's view of an IPv4
  // peer) counts as its IPv4 address.
  bool contains(const boost::asio::ip::address& address) const;

  // The client behind `peer`, a trusted proxy: the right-most address of
  // X-Forwarded-For (the values of its fields, joined in order) that is not itself trusted,
  // as nginx's real_ip_recursive picks it. The walk stops at an entry that is
  // not a bare IP address and keeps the trusted address before it; with
  // every entry trusted it ends at the left-most. Addresses come back in
  // canonical form, IPv4-mapped ones as IPv4.
  std::string client_behind(const std::vector<std::string_view>& forwarded_for,
                            const boost::asio::ip::address& peer) const;

 private:
  std::vector<Cidr> networks_;
};

// The canonical text of `address`; IPv4-mapped IPv6 as plain IPv4, the way
// backends and logs expect a client address.
std::string client_address_text(const boost::asio::ip::address& address);

}  // namespace reg::proxy
