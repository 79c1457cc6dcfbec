// What the proxy refuses in a request's head before routing it.
#include "daemon/proxy/request_checks.hpp"

#include <catch2/catch.hpp>

namespace reg::proxy {

TEST_CASE("request checks: a host is a name or a bracketed IP literal, then an optional port") {
  for (const char* valid : {"example.com", "Example.COM.", "example.com:8080", "example.com:", "127.0.0.1:80",
                            "[::1]", "[2001:db8::1]:8443", "a-b_c~d.example", "xn--bcher-kva.example", "%41.example",
                            "a!$&'()*+,;=b", ""}) {
    INFO(valid);
    CHECK(is_valid_host(valid));
  }
  for (const char* invalid : {"app.test:@evil.example", "example.com:80@evil.com", "example.com:x/../evil",
                              "example.com:80 evil", "example.com:<script>", "[example.com]@evil.com",
                              "[example.com", "[::1]/x", "[]", "[::1]:8o", "exa mple.com", "a/b", "a@b",
                              "a.com\t", "%4.example", "%zz", "::1", "a.com:80:81", "\xc3\xa9.example"}) {
    INFO(invalid);
    CHECK_FALSE(is_valid_host(invalid));
  }
}

}  // namespace reg::proxy
