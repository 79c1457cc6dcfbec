// The `websocket` option (PROTOCOL.md §5 options): an Upgrade is tunnelled
// both ways to ws:// and wss:// backends, with a real websocket client and
// real echo backends.
#include <catch2/catch.hpp>

#include <string>

#include "support/control.hpp"
#include "support/regd_process.hpp"
#include "support/scoped_environment.hpp"
#include "support/test_pki.hpp"
#include "support/websocket_client.hpp"
#include "support/websocket_echo_backend.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::Contains;

// A session with one applied route to `backend_url` for chat.com, with the
// websocket option when `websocket` is set.
void route_chat(const RegdProcess& regd, const std::string& backend_url, bool websocket = true) {
  Control control(regd.control());
  const auto session = control.register_session("chat", "i1", persistent_lease);
  const auto route = control.add_route(session, "chat.com", "/", backend_url);
  if (websocket) REQUIRE(control.send("OPTIONS_SET|" + session + "|" + route + "|websocket|true") == "OPTIONS_OK");
  REQUIRE(control.send("CONFIG_APPLY|" + session) == "OK");
}

// Messages go both ways, several times, and the client closes cleanly.
void check_echo(const RegdProcess& regd) {
  WebSocketClient client(regd.proxy(), "chat.com", "/socket");
  INFO(client.handshake().summary());
  REQUIRE(client.open());
  for (const std::string& message : {std::string("hello"), std::string(100'000, 'x'), std::string("again")}) {
    const bool sent = client.send(message);
    const auto echoed = client.receive();
    INFO(client.error());
    REQUIRE(sent);
    REQUIRE(echoed);
    CHECK(*echoed == message);
  }
  CHECK(client.close());
}

// The backend ends the websocket; the client sees its close frame.
void check_backend_closes(const RegdProcess& regd) {
  WebSocketClient client(regd.proxy(), "chat.com", "/socket");
  REQUIRE(client.open());
  REQUIRE(client.send("bye"));
  CHECK_FALSE(client.receive());
  CHECK(client.error() == "closed");
}

}  // namespace

TEST_CASE("websocket: ws backends echo through the proxy both ways") {
  WebSocketEchoBackend backend;
  RegdProcess regd;
  route_chat(regd, "ws://127.0.0.1:" + std::to_string(backend.port()));
  check_echo(regd);
  check_backend_closes(regd);
  CHECK(backend.accepted() == 2);
}

TEST_CASE("websocket: wss backends echo through the proxy over verified TLS with SNI") {
  TestPki pki;
  WebSocketEchoBackend backend(pki.server_context("server"));
  ScopedEnvironment environment;
  environment.set("SSL_CERT_FILE", pki.ca());
  environment.set("SSL_CERT_DIR", std::nullopt);
  RegdProcess regd;
  route_chat(regd, "wss://localhost:" + std::to_string(backend.port()));
  check_echo(regd);
  CHECK(backend.last_server_name() == "localhost");
  check_backend_closes(regd);
  CHECK(backend.accepted() == 2);
}

TEST_CASE("websocket: a wss backend with an untrusted certificate gets 502") {
  TestPki pki;
  WebSocketEchoBackend backend(pki.server_context("server"));
  ScopedEnvironment environment;
  environment.set("SSL_CERT_FILE", std::nullopt);
  environment.set("SSL_CERT_DIR", std::nullopt);
  RegdProcess regd;
  route_chat(regd, "wss://localhost:" + std::to_string(backend.port()));

  WebSocketClient client(regd.proxy(), "chat.com", "/socket");
  CHECK_FALSE(client.open());
  CHECK(client.handshake().status == 502);
  CHECK_THAT(client.handshake().body, Contains("certificate verify failed"));
  CHECK(backend.accepted() == 0);
}

TEST_CASE("websocket: without the option an Upgrade gets 400") {
  WebSocketEchoBackend backend;
  RegdProcess regd;
  route_chat(regd, "ws://127.0.0.1:" + std::to_string(backend.port()), false);

  WebSocketClient client(regd.proxy(), "chat.com", "/socket");
  CHECK_FALSE(client.open());
  CHECK(client.handshake().status == 400);
  CHECK(backend.accepted() == 0);
}

}  // namespace reg::test
