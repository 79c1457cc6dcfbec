#include "common/value_parsers.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace reg {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Quotes user input in an error without letting it run on forever.
std::string shown(std::string_view text) {
  constexpr std::size_t kMax = 80;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

template <class T>
bool parse_unsigned(std::string_view text, T& value) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool is_host_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
  });
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    if (!is_host_label(host.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_ipv6_literal(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
  }) && text.find(':') != std::string_view::npos;
}

}  // namespace

Result<Milliseconds> parse_duration(std::string_view text) {
  const auto invalid = [&] {
    return make_error("invalid duration: " + shown(text) +
                      " (expected a number with unit ms, s, m or h, e.g. 500ms, 30s, 1m30s)");
  };
  if (text.empty()) return invalid();
  // Ten years: anything longer is a typo, and the cap keeps arithmetic in range.
  constexpr std::int64_t kMaxMs = 10LL * 365 * 24 * 3600 * 1000;
  std::uint64_t bare = 0;
  if (parse_unsigned(text, bare)) {
    if (bare > static_cast<std::uint64_t>(kMaxMs / 1000)) return invalid();
    return Milliseconds(static_cast<std::int64_t>(bare) * 1000);
  }
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t digits_end = i;
    while (digits_end < text.size() && is_digit(text[digits_end])) ++digits_end;
    std::uint64_t amount = 0;
    if (!parse_unsigned(text.substr(i, digits_end - i), amount) || amount > static_cast<std::uint64_t>(kMaxMs))
      return invalid();
    std::size_t unit_end = digits_end;
    while (unit_end < text.size() && !is_digit(text[unit_end])) ++unit_end;
    const std::string_view unit = text.substr(digits_end, unit_end - digits_end);
    std::int64_t scale;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else return invalid();
    total += static_cast<std::int64_t>(amount) * scale;
    if (total > kMaxMs) return invalid();
    i = unit_end;
  }
  return Milliseconds(total);
}

Result<Milliseconds> parse_positive_duration(std::string_view text) {
  auto duration = parse_duration(text);
  if (duration && duration->count() <= 0) {
    return make_error("invalid duration: " + shown(text) + " (must be above zero)");
  }
  return duration;
}

std::string format_duration(Milliseconds duration) {
  std::int64_t ms = duration.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms % 1000 != 0 && ms < 1000) return out + std::to_string(ms) + "ms";
  const std::int64_t hours = ms / 3'600'000;
  const std::int64_t minutes = ms / 60'000 % 60;
  const std::int64_t seconds = ms / 1000 % 60;
  const std::int64_t millis = ms % 1000;
  if (hours) out += std::to_string(hours) + "h";
  if (minutes) out += std::to_string(minutes) + "m";
  if (seconds) out += std::to_string(seconds) + "s";
  if (millis) out += std::to_string(millis) + "ms";
  return out;
}

Result<std::string> parse_domain(std::string_view text) {
  std::string host = to_lower(text);
  if (!host.empty() && host.back() == '.') host.pop_back();
  const bool wildcard = host.rfind("*.", 0) == 0;
  const std::string_view name = wildcard ? std::string_view(host).substr(2) : std::string_view(host);
  if (!is_host_name(name)) {
    return make_error("invalid domain: " + shown(text) +
                      " (expected a host name such as example.com or *.example.com)");
  }
  return host;
}

Result<std::vector<std::string>> parse_domains(std::string_view text) {
  if (text.empty()) return make_error("invalid domain: empty (expected a comma-separated list of host names)");
  std::vector<std::string> domains;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    auto domain = parse_domain(text.substr(start, comma - start));
    if (!domain) return Error{domain.error()};
    if (std::find(domains.begin(), domains.end(), *domain) == domains.end()) domains.push_back(std::move(*domain));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return domains;
}

Result<std::string> parse_path(std::string_view text) {
  const bool well_formed =
      !text.empty() && text.front() == '/' && text.size() <= 2048 &&
      std::none_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '?' || c == '#' || c == '|';
      });
  if (!well_formed) {
    return make_error("invalid path: " + shown(text) +
                      " (expected a URL path starting with /, without spaces, ? or #)");
  }
  return std::string(text);
}

std::string BackendUrl::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

void BackendUrl::append_to(std::string& out) const {
  out += scheme;
  out += "://";
  const bool ipv6 = host.find(':') != std::string::npos;
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  out += ':';
  char digits[8];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, port).ptr);
  out += base_path;
}

Result<BackendUrl> parse_backend_url(std::string_view text) {
  const auto invalid = [&](std::string_view why) {
    return make_error("invalid backend url: " + shown(text) + " (" + std::string(why) + ")");
  };
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return invalid("expected http://host:port[/base]");
  BackendUrl url;
  url.scheme = to_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" && url.scheme != "wss")
    return invalid("scheme must be http, https, ws or wss");
  std::string_view rest = text.substr(scheme_end + 3);
  const std::size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) return invalid("credentials are not allowed");
  if (rest.find_first_of("?#") != std::string_view::npos) return invalid("query and fragment are not allowed");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unclosed [ in host");
    const std::string_view literal = authority.substr(1, close - 1);
    if (!is_ipv6_literal(literal)) return invalid("bad IPv6 address");
    url.host = to_lower(literal);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("unexpected text after ]");
      port_text = after.substr(1);
      if (port_text.empty()) return invalid("empty port");
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = to_lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return invalid("empty port");
    }
    if (!is_host_name(url.host)) return invalid("bad host");
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    if (!parse_unsigned(port_text, port) || port == 0 || port > 65535) return invalid("port must be 1-65535");
    url.port = static_cast<std::uint16_t>(port);
  } else {
    url.port = url.tls() ? 443 : 80;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (std::any_of(path.begin(), path.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '|';
      }))
    return invalid("bad character in path");
  url.base_path = std::string(path);
  return url;
}

Result<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max,
                                   std::string_view what) {
  std::int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') ++begin;
  auto [stop, ec] = std::from_chars(begin, end, value);
  if (text.empty() || ec != std::errc() || stop != end || value < min || value > max) {
    return make_error("invalid " + std::string(what) + ": " + shown(text) + " (expected an integer from " +
                      std::to_string(min) + " to " + std::to_string(max) + ")");
  }
  return value;
}

Result<std::int64_t> parse_priority(std::string_view text) {
  return parse_integer(text, -1'000'000, 1'000'000, "priority");
}

Result<bool> parse_bool(std::string_view text) {
  const std::string value = to_lower(text);
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  return make_error("invalid bool: " + shown(text) + " (expected true/false, 1/0, yes/no or on/off)");
}

Result<std::uint64_t> parse_size(std::string_view text) {
  const auto invalid = [&] {
    return make_error("invalid size: " + shown(text) + " (expected bytes or a number with k, m or g, e.g. 512k, 10m)");
  };
  if (text.empty()) return invalid();
  std::uint64_t scale = 1;
  std::string_view digits = text;
  switch (lower(text.back())) {
    case 'k': scale = 1ull << 10; break;
    case 'm': scale = 1ull << 20; break;
    case 'g': scale = 1ull << 30; break;
    default: break;
  }
  if (scale != 1) digits.remove_suffix(1);
  std::uint64_t amount = 0;
  if (!parse_unsigned(digits, amount) || amount > (std::numeric_limits<std::uint64_t>::max() / scale)) return invalid();
  return amount * scale;
}

Result<std::uint64_t> parse_route_id(std::string_view text) {
  std::uint64_t number = 0;
  if (text.size() < 2 || text.front() != 'r' || !parse_unsigned(text.substr(1), number) || number == 0 ||
      text[1] == '0') {
    return make_error("route not found: " + shown(text));
  }
  return number;
}

std::string format_route_id(std::uint64_t number) { return "r" + std::to_string(number); }

Result<std::string> parse_name(std::string_view text, std::string_view what) {
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '|';
  });
  if (text.empty() || text.size() > 128 || text.front() == '#' || !printable) {
    return make_error("invalid " + std::string(what) + ": " + shown(text) +
                      " (expected 1-128 printable characters, no |, not starting with #)");
  }
  return std::string(text);
}

Result<StatusRange> parse_status_range(std::string_view text) {
  const auto invalid = [&] {
    return make_error("invalid status range: " + shown(text) + " (expected e.g. 200-399 or 204)");
  };
  const std::size_t dash = text.find('-');
  int low = 0;
  int high = 0;
  if (!parse_unsigned(text.substr(0, dash), low)) return invalid();
  high = low;
  if (dash != std::string_view::npos && !parse_unsigned(text.substr(dash + 1), high)) return invalid();
  if (low < 100 || high > 599 || low > high) return invalid();
  return StatusRange{low, high};
}

std::string HostPort::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<HostPort> parse_host_port(std::string_view text) {
  const auto invalid = [&] {
    return make_error("invalid address: " + shown(text) + " (expected HOST:PORT, e.g. 127.0.0.1:81 or [::1]:81)");
  };
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find("]:");
    if (close == std::string_view::npos) return invalid();
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return invalid();
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  // Brackets only ever enclose an IPv6 address; anywhere else they made
  // "[::1[::1]:8]:81" a "host" that printed back as another address.
  if (out.host.empty() || out.host.find_first_of("[] \t") != std::string::npos) return invalid();
  unsigned port = 0;
  if (!parse_unsigned(port_text, port) || port > 65535) return invalid();
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

bool Cidr::contains(std::span<const std::uint8_t> address) const {
  if (address.size() != (ipv6 ? 16u : 4u)) return false;
  const unsigned whole_bytes = prefix_length / 8;
  if (!std::equal(network.begin(), network.begin() + whole_bytes, address.begin())) return false;
  const unsigned rest_bits = prefix_length % 8;
  if (rest_bits == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest_bits));
  return (address[whole_bytes] & mask) == network[whole_bytes];
}

Result<Cidr> parse_cidr(std::string_view text) {
  const auto invalid = [&](std::string_view why) {
    return make_error("invalid cidr: " + shown(text) + " (" + std::string(why) + ")");
  };
  constexpr std::string_view kExpected = "expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/8";
  const std::size_t slash = text.find('/');
  const std::string address(text.substr(0, slash));
  Cidr cidr;
  cidr.ipv6 = address.find(':') != std::string::npos;
  if (::inet_pton(cidr.ipv6 ? AF_INET6 : AF_INET, address.c_str(), cidr.network.data()) != 1) {
    return invalid(kExpected);
  }
  const unsigned bits = cidr.ipv6 ? 128 : 32;
  cidr.prefix_length = bits;
  if (slash != std::string_view::npos &&
      (!parse_unsigned(text.substr(slash + 1), cidr.prefix_length) || cidr.prefix_length > bits)) {
    return invalid(cidr.ipv6 ? "the prefix length must be 0-128" : "the prefix length must be 0-32");
  }
  for (unsigned bit = cidr.prefix_length; bit < bits; ++bit) {
    if (cidr.network[bit / 8] & (0x80 >> (bit % 8))) {
      return invalid("address bits past the prefix must be zero");
    }
  }
  return cidr;
}

Result<std::vector<Cidr>> parse_cidr_list(std::string_view text) {
  std::vector<Cidr> networks;
  const auto trimmed = [](std::string_view item) {
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    return item;
  };
  if (trimmed(text).empty()) return networks;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    auto network = parse_cidr(trimmed(text.substr(start, comma - start)));
    if (!network) return Error{network.error()};
    networks.push_back(*network);
    if (comma == std::string_view::npos) return networks;
    start = comma + 1;
  }
}

Status check_header_name(std::string_view name) {
  static constexpr std::string_view kTokenSymbols = "!#$%&'*+-.^_`|~";
  const bool token = !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           kTokenSymbols.find(c) != std::string_view::npos;
  });
  if (!token) return make_error("invalid header name: " + shown(name) + " (expected an HTTP token)");
  return success();
}

Status check_header_value(std::string_view value) {
  if (value.size() > 8192 || value.find_first_of("\r\n") != std::string_view::npos)
    return make_error("invalid header value (no CR or LF, at most 8192 bytes)");
  return success();
}

}  // namespace reg
