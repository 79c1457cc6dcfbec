#include "daemon/proxy/trusted_proxies.hpp"

#include <algorithm>
#include <optional>

namespace reg::proxy {
namespace {

namespace asio = boost::asio;

asio::ip::address unmapped(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<asio::ip::address> parse_entry(std::string_view entry) {
  while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
  while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(entry), ec);
  if (ec) return std::nullopt;
  return unmapped(address);
}

}  // namespace

bool TrustedProxies::contains(const asio::ip::address& address) const {
  const auto in_any = [this](const auto& bytes) {
    return std::any_of(networks_.begin(), networks_.end(), [&](const Cidr& network) { return network.contains(bytes); });
  };
  const asio::ip::address plain = unmapped(address);
  return plain.is_v4() ? in_any(plain.to_v4().to_bytes()) : in_any(plain.to_v6().to_bytes());
}

std::string TrustedProxies::client_behind(const std::vector<std::string_view>& forwarded_for,
                                          const asio::ip::address& peer) const {
  std::string chain;
  for (const std::string_view value : forwarded_for) {
    if (value.empty()) continue;
    if (!chain.empty()) chain += ',';
    chain += value;
  }
  asio::ip::address client = unmapped(peer);
  std::string_view rest = chain;
  while (contains(client) && !rest.empty()) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const auto address = parse_entry(entry);
    if (!address) break;
    client = *address;
  }
  return client.to_string();
}

std::string client_address_text(const asio::ip::address& address) { return unmapped(address).to_string(); }

}  // namespace reg::proxy
