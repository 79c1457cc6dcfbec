#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/value_parsers.hpp"
#include "unit_helpers.hpp"

using Catch::Matchers::StartsWith;
using reg::Milliseconds;
using unit::error_of;
using namespace std::chrono_literals;

using Domains = std::vector<std::string>;

// ---------------------------------------------------------------- durations

TEST_CASE("value parsers: durations with a unit") {
  CHECK(*reg::parse_duration("500ms") == 500ms);
  CHECK(*reg::parse_duration("30s") == 30s);
  CHECK(*reg::parse_duration("1m30s") == 90s);
  CHECK(*reg::parse_duration("2h") == 2h);
  CHECK(*reg::parse_duration("1h2m3s4ms") == 1h + 2min + 3s + 4ms);
}

TEST_CASE("value parsers: a bare number is seconds") {
  CHECK(*reg::parse_duration("5") == 5s);
  CHECK(*reg::parse_duration("0") == 0ms);
}

TEST_CASE("value parsers: malformed durations are invalid duration") {
  for (const char* text : {"garbage", "5x", "", "-5", "-5s", "1.5s", "s", "ms", "5 s", "1s500", "5S", "+5s"}) {
    INFO("duration: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_duration(text)), StartsWith("invalid duration: "));
  }
}

TEST_CASE("value parsers: a positive duration refuses zero in any spelling") {
  CHECK(*reg::parse_positive_duration("1ms") == 1ms);
  CHECK(*reg::parse_positive_duration("0m1s") == 1s);
  for (const char* text : {"0", "0s", "0ms", "0h0m"}) {
    INFO("duration: " << text);
    CHECK(error_of(reg::parse_positive_duration(text)) ==
          "invalid duration: " + std::string(text) + " (must be above zero)");
  }
  CHECK_THAT(error_of(reg::parse_positive_duration("soon")), StartsWith("invalid duration: soon (expected"));
}

TEST_CASE("value parsers: the duration error quotes the input and gives examples") {
  CHECK(error_of(reg::parse_duration("5x")) ==
        "invalid duration: 5x (expected a number with unit ms, s, m or h, e.g. 500ms, 30s, 1m30s)");
}

TEST_CASE("value parsers: overflowing durations are rejected, not wrapped") {
  for (const char* text : {"99999999999999999999", "99999999999999999999ms", "18446744073709551615s",
                           "100000000000h", "9223372036854775807ms9223372036854775807ms"}) {
    INFO("duration: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_duration(text)), StartsWith("invalid duration: "));
  }
}

TEST_CASE("value parsers: format_duration writes the shortest unit form") {
  CHECK(reg::format_duration(500ms) == "500ms");
  CHECK(reg::format_duration(30s) == "30s");
  CHECK(reg::format_duration(90s) == "1m30s");
  CHECK(reg::format_duration(2h) == "2h");
  CHECK(reg::format_duration(0ms) == "0s");
  CHECK(reg::format_duration(1500ms) == "1s500ms");
}

TEST_CASE("value parsers: format_duration round trips through parse_duration") {
  for (Milliseconds duration : {Milliseconds(0), Milliseconds(1), Milliseconds(999), Milliseconds(1000),
                                Milliseconds(1001), Milliseconds(61'000), Milliseconds(3'600'000),
                                Milliseconds(3'723'004), Milliseconds(90'061'001)}) {
    const std::string text = reg::format_duration(duration);
    INFO("formatted: " << text);
    auto parsed = reg::parse_duration(text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == duration);
  }
}

// ---------------------------------------------------------------- domains

TEST_CASE("value parsers: domains are lower-cased") {
  CHECK(*reg::parse_domains("Example.COM") == Domains{"example.com"});
}

TEST_CASE("value parsers: a trailing dot on a domain is dropped") {
  CHECK(*reg::parse_domains("example.com.") == Domains{"example.com"});
  CHECK(*reg::parse_domain("WWW.Example.com.") == "www.example.com");
}

TEST_CASE("value parsers: wildcard domains") {
  CHECK(*reg::parse_domains("*.Example.com") == Domains{"*.example.com"});
  CHECK(*reg::parse_domains("example.com,*.example.com") == Domains{"example.com", "*.example.com"});
}

TEST_CASE("value parsers: duplicate domains are dropped, order kept") {
  CHECK(*reg::parse_domains("b.com,a.com,B.COM,a.com.") == Domains{"b.com", "a.com"});
}

TEST_CASE("value parsers: invalid domain labels") {
  for (const char* text : {"-a.com", "a-.com", "a..com", ".a.com", "a b.com", "a.com/x", "a:80", "exa$mple.com",
                           "*", "*.*.com", "a.*.com", "*a.com", "a.com,", ",a.com", "a.com,,b.com", "."}) {
    INFO("domains: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_domains(text)), StartsWith("invalid domain: "));
  }
}

TEST_CASE("value parsers: a wildcard without a name is invalid") {
  CHECK(error_of(reg::parse_domains("*.")) ==
        "invalid domain: *. (expected a host name such as example.com or *.example.com)");
}

TEST_CASE("value parsers: an empty domain list is invalid") {
  CHECK_THAT(error_of(reg::parse_domains("")), StartsWith("invalid domain: "));
}

TEST_CASE("value parsers: domain label length limits") {
  const std::string label63(63, 'a');
  CHECK(reg::parse_domain(label63 + ".com").ok());
  CHECK_THAT(error_of(reg::parse_domain(std::string(64, 'a') + ".com")), StartsWith("invalid domain: "));
  std::string long_name = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');  // 253
  CHECK(reg::parse_domain(long_name).ok());
  CHECK_THAT(error_of(reg::parse_domain(long_name + "a")), StartsWith("invalid domain: "));
}

TEST_CASE("value parsers: IP addresses and single-label hosts are host names") {
  CHECK(*reg::parse_domains("10.0.0.5") == Domains{"10.0.0.5"});
  CHECK(*reg::parse_domains("localhost") == Domains{"localhost"});
}

// ---------------------------------------------------------------- paths

TEST_CASE("value parsers: paths start with /") {
  CHECK(*reg::parse_path("/") == "/");
  CHECK(*reg::parse_path("/api/v1") == "/api/v1");
  CHECK(*reg::parse_path("/a-b_c.d~e%20") == "/a-b_c.d~e%20");
}

TEST_CASE("value parsers: invalid paths") {
  for (const char* text : {"", "api", "/a b", "/a?x=1", "/a#frag", "/a|b", "/a\tb", "http://x/"}) {
    INFO("path: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_path(text)), StartsWith("invalid path: "));
  }
}

// ---------------------------------------------------------------- backend urls

TEST_CASE("value parsers: backend url schemes and their default ports") {
  auto http = reg::parse_backend_url("http://b");
  REQUIRE(http.ok());
  CHECK(http->scheme == "http");
  CHECK(http->host == "b");
  CHECK(http->port == 80);
  CHECK(http->base_path.empty());
  CHECK_FALSE(http->tls());

  auto https = reg::parse_backend_url("https://b");
  REQUIRE(https.ok());
  CHECK(https->port == 443);
  CHECK(https->tls());

  auto ws = reg::parse_backend_url("ws://b");
  REQUIRE(ws.ok());
  CHECK(ws->scheme == "ws");
  CHECK(ws->port == 80);
  CHECK_FALSE(ws->tls());

  auto wss = reg::parse_backend_url("wss://b");
  REQUIRE(wss.ok());
  CHECK(wss->scheme == "wss");
  CHECK(wss->port == 443);
  CHECK(wss->tls());
}

TEST_CASE("value parsers: backend url with an explicit port") {
  auto url = reg::parse_backend_url("http://B.Example.com:8080");
  REQUIRE(url.ok());
  CHECK(url->host == "b.example.com");
  CHECK(url->port == 8080);
  CHECK(reg::parse_backend_url("https://b:8443")->port == 8443);
  CHECK(reg::parse_backend_url("http://b:65535")->port == 65535);
}

TEST_CASE("value parsers: backend url base path loses its trailing slash") {
  CHECK(reg::parse_backend_url("http://b:8080/base/")->base_path == "/base");
  CHECK(reg::parse_backend_url("http://b:8080/base")->base_path == "/base");
  CHECK(reg::parse_backend_url("http://b/a/b//")->base_path == "/a/b");
  CHECK(reg::parse_backend_url("http://b/")->base_path.empty());
}

TEST_CASE("value parsers: backend url with an IPv6 literal") {
  auto url = reg::parse_backend_url("http://[::1]:8080");
  REQUIRE(url.ok());
  CHECK(url->host == "::1");
  CHECK(url->port == 8080);
  CHECK(url->to_string() == "http://[::1]:8080");
  CHECK(reg::parse_backend_url("https://[fe80::1]")->port == 443);
}

TEST_CASE("value parsers: backend url canonical text form") {
  CHECK(reg::parse_backend_url("http://b")->to_string() == "http://b:80");
  CHECK(reg::parse_backend_url("HTTP://B:80/")->to_string() == "http://b:80");
  CHECK(reg::parse_backend_url("wss://Api.Example.com/v1/")->to_string() == "wss://api.example.com:443/v1");
  CHECK(reg::parse_backend_url("http://10.0.0.5:8080/base")->to_string() == "http://10.0.0.5:8080/base");
}

TEST_CASE("value parsers: the canonical form parses back to the same url") {
  for (const char* text : {"http://b", "https://b:8443/x/", "ws://[::1]:9000", "wss://a.example.com/p"}) {
    INFO("url: " << text);
    auto url = reg::parse_backend_url(text);
    REQUIRE(url.ok());
    auto again = reg::parse_backend_url(url->to_string());
    REQUIRE(again.ok());
    CHECK(*again == *url);
  }
}

TEST_CASE("value parsers: rejected backend urls") {
  for (const char* text : {"b:80", "", "//b:80", "ftp://b", "file:///etc/passwd", "http://", "http://:80",
                           "http://b:0", "http://b:70000", "http://b:", "http://b:x", "http://b:-1",
                           "http://user:pw@b", "http://user@b:80", "http://b/?x=1", "http://b?x=1",
                           "http://b/a#frag", "http://[::1", "http://[zz]:80", "http://[::1]x", "http://b c",
                           "http://b/a b"}) {
    INFO("url: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_backend_url(text)), StartsWith("invalid backend url: "));
  }
}

// ---------------------------------------------------------------- priority, bool, size

TEST_CASE("value parsers: priority bounds") {
  CHECK(*reg::parse_priority("0") == 0);
  CHECK(*reg::parse_priority("-1000000") == -1'000'000);
  CHECK(*reg::parse_priority("1000000") == 1'000'000);
  CHECK(*reg::parse_priority("42") == 42);
}

TEST_CASE("value parsers: priority out of range or not an integer") {
  for (const char* text : {"1000001", "-1000001", "abc", "", "1.5", "5x", " 5", "99999999999999999999", "-", "+"}) {
    INFO("priority: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_priority(text)), StartsWith("invalid priority: "));
  }
  CHECK(error_of(reg::parse_priority("1000001")) ==
        "invalid priority: 1000001 (expected an integer from -1000000 to 1000000)");
}

TEST_CASE("value parsers: priority with two signs is not an integer") {
  CHECK_THAT(error_of(reg::parse_priority("+-5")), StartsWith("invalid priority: "));
}

TEST_CASE("value parsers: bool spellings") {
  for (const char* text : {"true", "1", "yes", "on", "TRUE", "Yes", "ON"}) {
    INFO("bool: " << text);
    CHECK(*reg::parse_bool(text) == true);
  }
  for (const char* text : {"false", "0", "no", "off", "False", "NO"}) {
    INFO("bool: " << text);
    CHECK(*reg::parse_bool(text) == false);
  }
}

TEST_CASE("value parsers: other bool spellings are invalid") {
  for (const char* text : {"", "maybe", "2", "y", "n", "truee"}) {
    INFO("bool: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_bool(text)), StartsWith("invalid bool: "));
  }
}

TEST_CASE("value parsers: sizes with k, m and g suffixes") {
  CHECK(*reg::parse_size("512k") == 512ull * 1024);
  CHECK(*reg::parse_size("10m") == 10ull * 1024 * 1024);
  CHECK(*reg::parse_size("1g") == 1024ull * 1024 * 1024);
  CHECK(*reg::parse_size("10M") == 10ull * 1024 * 1024);
}

TEST_CASE("value parsers: a bare size is bytes") {
  CHECK(*reg::parse_size("4096") == 4096);
  CHECK(*reg::parse_size("0") == 0);
}

TEST_CASE("value parsers: invalid and overflowing sizes") {
  for (const char* text : {"", "k", "10mb", "-1", "1.5m", "10q", "18446744073709551616", "17179869184g",
                           "18014398509481984k"}) {
    INFO("size: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_size(text)), StartsWith("invalid size: "));
  }
}

// ---------------------------------------------------------------- route ids, names

TEST_CASE("value parsers: route ids") {
  CHECK(*reg::parse_route_id("r1") == 1);
  CHECK(*reg::parse_route_id("r17") == 17);
  CHECK(reg::format_route_id(17) == "r17");
}

TEST_CASE("value parsers: malformed route ids are route not found") {
  CHECK(error_of(reg::parse_route_id("r0")) == "route not found: r0");
  CHECK(error_of(reg::parse_route_id("r01")) == "route not found: r01");
  CHECK(error_of(reg::parse_route_id("x1")) == "route not found: x1");
  CHECK(error_of(reg::parse_route_id("r")) == "route not found: r");
  CHECK(error_of(reg::parse_route_id("r-1")) == "route not found: r-1");
  CHECK(error_of(reg::parse_route_id("R1")) == "route not found: R1");
  CHECK(error_of(reg::parse_route_id("1")) == "route not found: 1");
  CHECK(error_of(reg::parse_route_id("r1a")) == "route not found: r1a");
}

TEST_CASE("value parsers: names of 1 to 128 printable characters") {
  CHECK(*reg::parse_name("billing", "service name") == "billing");
  CHECK(*reg::parse_name("billing-1 (eu)", "instance name") == "billing-1 (eu)");
  CHECK(*reg::parse_name("caf\xC3\xA9", "service name") == "caf\xC3\xA9");
  CHECK(reg::parse_name(std::string(128, 'n'), "service name").ok());
}

TEST_CASE("value parsers: invalid names say which name") {
  for (const std::string& text : {std::string(), std::string(129, 'n'), std::string("#svc"), std::string("a|b"),
                                 std::string("a\tb"), std::string("a\x7f")}) {
    INFO("name: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_name(text, "service name")), StartsWith("invalid service name: "));
  }
  CHECK_THAT(error_of(reg::parse_name("#i", "instance name")), StartsWith("invalid instance name: #i"));
}

// ---------------------------------------------------------------- status ranges, addresses, headers

TEST_CASE("value parsers: status ranges") {
  auto range = reg::parse_status_range("200-399");
  REQUIRE(range.ok());
  CHECK(*range == reg::StatusRange{200, 399});
  CHECK(range->contains(200));
  CHECK(range->contains(399));
  CHECK_FALSE(range->contains(400));
  CHECK_FALSE(range->contains(199));

  auto single = reg::parse_status_range("204");
  REQUIRE(single.ok());
  CHECK(*single == reg::StatusRange{204, 204});
}

TEST_CASE("value parsers: invalid status ranges") {
  for (const char* text : {"", "abc", "399-200", "99", "600", "200-600", "200-", "-399", "2xx"}) {
    INFO("status range: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_status_range(text)), StartsWith("invalid status range: "));
  }
}

TEST_CASE("value parsers: host:port addresses") {
  auto v4 = reg::parse_host_port("127.0.0.1:81");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 81);
  CHECK(v4->to_string() == "127.0.0.1:81");

  auto name = reg::parse_host_port("localhost:8080");
  REQUIRE(name.ok());
  CHECK(name->host == "localhost");
  CHECK(name->port == 8080);

  auto v6 = reg::parse_host_port("[::1]:81");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 81);
  CHECK(v6->to_string() == "[::1]:81");
}

TEST_CASE("value parsers: invalid host:port addresses") {
  // "[::1[::1]:8]:81" came from the value_parsers fuzz target: it parsed, and
  // printed back as an address that parsed differently.
  for (const char* text : {"", "localhost", ":81", "host:", "host:70000", "host:x", "[::1]81", "[::1]", "[]:81",
                           "[::1[::1]:8]:81", "a]:81", "my host:81"}) {
    INFO("address: \"" << text << '"');
    CHECK_THAT(error_of(reg::parse_host_port(text)), StartsWith("invalid address: "));
  }
}

TEST_CASE("value parsers: header names are HTTP tokens") {
  for (const char* name : {"X-Frame-Options", "x_custom", "Content-Type", "X.Y!#$%&'*+^`|~1"}) {
    INFO("header name: " << name);
    CHECK(reg::check_header_name(name).ok());
  }
  for (const char* name : {"", "X Frame", "X:Y", "X-A\r", "X(A)", "X\"A", "X/A"}) {
    INFO("header name: \"" << name << '"');
    CHECK_THAT(error_of(reg::check_header_name(name)), StartsWith("invalid header name: "));
  }
}

TEST_CASE("value parsers: header values without CR or LF") {
  CHECK(reg::check_header_value("DENY").ok());
  CHECK(reg::check_header_value("a|b; c=\"d\"").ok());
  CHECK(reg::check_header_value("").ok());
  CHECK_THAT(error_of(reg::check_header_value("a\r\nInjected: 1")), StartsWith("invalid header value"));
  CHECK_THAT(error_of(reg::check_header_value("a\nb")), StartsWith("invalid header value"));
  CHECK_THAT(error_of(reg::check_header_value("a\rb")), StartsWith("invalid header value"));
}

// ---------------------------------------------------------------- CIDR networks

namespace {

std::array<std::uint8_t, 4> ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {a, b, c, d};
}

std::array<std::uint8_t, 16> ipv6(std::string_view text) {
  const auto single = reg::parse_cidr(text);
  REQUIRE(single.ok());
  REQUIRE(single->ipv6);
  return single->network;
}

}  // namespace

TEST_CASE("value parsers: IPv4 networks contain the addresses under their prefix") {
  const auto network = *reg::parse_cidr("10.1.0.0/16");
  CHECK_FALSE(network.ipv6);
  CHECK(network.prefix_length == 16);
  CHECK(network.contains(ipv4(10, 1, 0, 0)));
  CHECK(network.contains(ipv4(10, 1, 255, 7)));
  CHECK_FALSE(network.contains(ipv4(10, 2, 0, 1)));

  const auto odd = *reg::parse_cidr("192.168.4.0/22");
  CHECK(odd.contains(ipv4(192, 168, 7, 255)));
  CHECK_FALSE(odd.contains(ipv4(192, 168, 8, 0)));
  CHECK_FALSE(odd.contains(ipv4(192, 168, 3, 255)));

  CHECK(reg::parse_cidr("0.0.0.0/0")->contains(ipv4(203, 0, 113, 9)));
  const auto host = *reg::parse_cidr("127.0.0.1");
  CHECK(host.prefix_length == 32);
  CHECK(host.contains(ipv4(127, 0, 0, 1)));
  CHECK_FALSE(host.contains(ipv4(127, 0, 0, 2)));
}

TEST_CASE("value parsers: IPv6 networks contain the addresses under their prefix") {
  const auto network = *reg::parse_cidr("fd00:abcd::/32");
  CHECK(network.ipv6);
  CHECK(network.contains(ipv6("fd00:abcd:1::5")));
  CHECK_FALSE(network.contains(ipv6("fd00:abce::5")));
  CHECK(reg::parse_cidr("::/0")->contains(ipv6("2001:db8::1")));
  CHECK(reg::parse_cidr("::1")->prefix_length == 128);
  CHECK(reg::parse_cidr("2001:db8::/33")->contains(ipv6("2001:db8:7fff::1")));
  CHECK_FALSE(reg::parse_cidr("2001:db8::/33")->contains(ipv6("2001:db8:8000::1")));
}

TEST_CASE("value parsers: a network holds addresses of its own family only") {
  CHECK_FALSE(reg::parse_cidr("0.0.0.0/0")->contains(ipv6("::ffff:10.0.0.1")));
  CHECK_FALSE(reg::parse_cidr("::/0")->contains(ipv4(10, 0, 0, 1)));
}

TEST_CASE("value parsers: malformed networks are refused with what was expected") {
  CHECK_THAT(error_of(reg::parse_cidr("")), StartsWith("invalid cidr:  (expected ADDRESS/PREFIX"));
  for (const char* text : {"10.0.0/8", "10.0.0.256/32", "010.0.0.0/8", "example.com/8", "10.0.0.0/", "/8",
                           "fd00::/", "10.0.0.0/8/8", " 10.0.0.0/8", "10.0.0.0 /8", "gggg::/16"}) {
    INFO(text);
    CHECK_THAT(error_of(reg::parse_cidr(text)), StartsWith("invalid cidr: "));
  }
  CHECK(error_of(reg::parse_cidr("10.0.0.0/33")) == "invalid cidr: 10.0.0.0/33 (the prefix length must be 0-32)");
  CHECK(error_of(reg::parse_cidr("::/129")) == "invalid cidr: ::/129 (the prefix length must be 0-128)");
  CHECK(error_of(reg::parse_cidr("10.0.0.0/-1")) == "invalid cidr: 10.0.0.0/-1 (the prefix length must be 0-32)");
  CHECK(error_of(reg::parse_cidr("10.0.0.0/+8")) == "invalid cidr: 10.0.0.0/+8 (the prefix length must be 0-32)");
  CHECK(error_of(reg::parse_cidr("10.0.0.1/8")) == "invalid cidr: 10.0.0.1/8 (address bits past the prefix must be zero)");
  CHECK(error_of(reg::parse_cidr("fd00::1/64")) == "invalid cidr: fd00::1/64 (address bits past the prefix must be zero)");
}

TEST_CASE("value parsers: CIDR lists are comma-separated, empty means none") {
  CHECK(reg::parse_cidr_list("")->empty());
  CHECK(reg::parse_cidr_list("  ")->empty());
  const auto networks = *reg::parse_cidr_list("127.0.0.1/32, 10.0.0.0/8 ,::1");
  REQUIRE(networks.size() == 3);
  CHECK(networks[0] == *reg::parse_cidr("127.0.0.1/32"));
  CHECK(networks[1] == *reg::parse_cidr("10.0.0.0/8"));
  CHECK(networks[2] == *reg::parse_cidr("::1/128"));
  CHECK(error_of(reg::parse_cidr_list("10.0.0.0/8,")) == "invalid cidr:  (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/8)");
  CHECK_THAT(error_of(reg::parse_cidr_list("10.0.0.0/8,bogus")), StartsWith("invalid cidr: bogus"));
}
