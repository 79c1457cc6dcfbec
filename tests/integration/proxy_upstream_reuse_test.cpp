// Reusing kept-alive backend connections (DESIGN.md "Known traps"): a
// connection the backend closed while it sat in the pool must not cost the
// client its request.
#include <catch2/catch.hpp>

#include "support/control.hpp"
#include "support/http_client.hpp"
#include "support/regd_process.hpp"
#include "support/scripted_backend.hpp"

namespace reg::test {

TEST_CASE("upstream reuse: a backend that closes each connection after answering costs no GET") {
  RegdProcess regd;
  // Announces keep-alive, then closes: every pooled connection is dead by
  // the time the next request takes it, or dies under it.
  ScriptedBackend backend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
  Control control(regd.control());
  const auto session = control.register_session("svc", "i1");
  control.add_route(session, "r.com", "/", backend.url());
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");

  KeepAliveHttpClient client(regd.proxy());
  for (int i = 0; i < 30; ++i) {
    const auto response = client.get("r.com", "/");
    CHECK(response.status == 200);
    CHECK(response.body == "ok");
  }
}

}  // namespace reg::test
