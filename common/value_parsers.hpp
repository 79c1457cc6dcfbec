#pragma once
// Parsers for the value formats of PROTOCOL.md §2. Each returns a Result whose
// error text is the reply a client sees after "ERROR|".
#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace reg {

using Milliseconds = std::chrono::milliseconds;

// "500ms", "30s", "1m30s", "2h"; a bare number means seconds.
Result<Milliseconds> parse_duration(std::string_view text);
// The same, above zero: a timeout, interval or window of zero would expire at once.
Result<Milliseconds> parse_positive_duration(std::string_view text);
std::string format_duration(Milliseconds duration);

// Comma-separated host names, lower-cased, "*.example.com" wildcards allowed,
// duplicates dropped, order kept.
Result<std::vector<std::string>> parse_domains(std::string_view text);
Result<std::string> parse_domain(std::string_view text);

// A URL path prefix: starts with '/', no whitespace, query or fragment.
Result<std::string> parse_path(std::string_view text);

struct BackendUrl {
  std::string scheme;     // http, https, ws, wss
  std::string host;       // lower-cased; IPv6 without brackets
  std::uint16_t port = 0; // defaulted from the scheme when absent
  std::string base_path;  // "" or "/base" (no trailing slash)

  bool tls() const { return scheme == "https" || scheme == "wss"; }
  // The canonical text form, the one stored and shown back to clients.
  std::string to_string() const;
  // The same, appended to `out`.
  void append_to(std::string& out) const;
  bool operator==(const BackendUrl&) const = default;
};
Result<BackendUrl> parse_backend_url(std::string_view text);

Result<std::int64_t> parse_priority(std::string_view text);
Result<bool> parse_bool(std::string_view text);
// "10m", "512k", "1g", or a bare number of bytes.
Result<std::uint64_t> parse_size(std::string_view text);
// A decimal integer within [min, max]; `what` names the value in the error.
Result<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max,
                                   std::string_view what);

// "r17" -> 17. Anything else is not a route id.
Result<std::uint64_t> parse_route_id(std::string_view text);
std::string format_route_id(std::uint64_t number);

// service_name / instance_name: 1-128 printable characters, no '|', no leading '#'.
Result<std::string> parse_name(std::string_view text, std::string_view what);

// An expected status range such as "200-399" or a single "204".
struct StatusRange {
  int low = 200;
  int high = 399;
  bool contains(int status) const { return status >= low && status <= high; }
  bool operator==(const StatusRange&) const = default;
};
Result<StatusRange> parse_status_range(std::string_view text);

// "127.0.0.1:81", "localhost:8080", "[::1]:81".
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const;
};
Result<HostPort> parse_host_port(std::string_view text);

// An IPv4 or IPv6 network: "10.0.0.0/8", "fd00::/8"; a bare address is a
// /32 or /128. Bits past the prefix must be zero, so a typo such as
// "10.0.0.1/8" is refused instead of silently meaning 10.0.0.0/8.
struct Cidr {
  bool ipv6 = false;
  std::array<std::uint8_t, 16> network{};  // network byte order; IPv4 in the first 4 bytes
  unsigned prefix_length = 0;

  // `address`: 4 bytes (IPv4) or 16 (IPv6) in network byte order. IPv4
  // networks hold IPv4 addresses only, IPv6 networks IPv6 addresses only.
  bool contains(std::span<const std::uint8_t> address) const;
  bool operator==(const Cidr&) const = default;
};
Result<Cidr> parse_cidr(std::string_view text);
// Comma-separated networks; spaces around items are allowed, "" is none.
Result<std::vector<Cidr>> parse_cidr_list(std::string_view text);

// HTTP header name (RFC 9110 token) and value (no CR or LF).
Status check_header_name(std::string_view name);
Status check_header_value(std::string_view value);

}  // namespace reg
