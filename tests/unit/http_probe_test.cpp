#include "silent_server.hpp"
#include "support/scoped_environment.hpp"
#include "support/test_pki.hpp"
#include "daemon/proxy/http_probe.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <openssl/ssl.h>

using namespace std::chrono_literals;
using reg::BackendUrl;
using reg::Milliseconds;
using reg::proxy::async_probe;
using reg::proxy::ProbeResult;

using reg::test::ScopedEnvironment;
using reg::test::SilentServer;
using reg::test::TestPki;

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

const asio::ip::address kLoopback = asio::ip::make_address("127.0.0.1");

std::string canned_response(int status, const std::string& reason, const std::string& body = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// A loopback server that answers each request with the same bytes, over
// plain TCP or, given a context, TLS. It keeps what it saw for the test.
class CannedServer {
 public:
  CannedServer(asio::io_context& io, std::string response, ssl::context* tls = nullptr)
      : acceptor_(io, tcp::endpoint(kLoopback, 0)), response_(std::move(response)), tls_(tls) {
    accept();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  const std::string& last_request() const { return seen_->request; }
  const std::string& last_server_name() const { return seen_->server_name; }

 private:
  struct Seen {
    std::string request;
    std::string server_name;
  };

  void accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec) return;
      if (tls_) {
        auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), *tls_);
        stream->async_handshake(ssl::stream_base::server,
                                [stream, response = response_, seen = seen_](error_code ec) {
                                  if (ec) return;
                                  const char* name = SSL_get_servername(
                                      stream->native_handle(), TLSEXT_NAMETYPE_host_name);
                                  seen->server_name = name ? name : "";
                                  answer(stream, response, seen);
                                });
      } else {
        answer(std::make_shared<tcp::socket>(std::move(socket)), response_, seen_);
      }
      accept();
    });
  }

  template <class Stream>
  static void answer(std::shared_ptr<Stream> stream, const std::string& response,
                     std::shared_ptr<Seen> seen) {
    auto received = std::make_shared<asio::streambuf>();
    asio::async_read_until(
        *stream, *received, "\r\n\r\n",
        [stream, received, response = std::make_shared<std::string>(response), seen](
            error_code ec, std::size_t header_size) {
          if (ec) return;
          seen->request.assign(asio::buffers_begin(received->data()),
                               asio::buffers_begin(received->data()) + header_size);
          asio::async_write(*stream, asio::buffer(*response),
                            [stream, response](error_code, std::size_t) {});
        });
  }

  tcp::acceptor acceptor_;
  std::string response_;
  ssl::context* tls_;
  std::shared_ptr<Seen> seen_ = std::make_shared<Seen>();
};

// Accepts one connection, reads the request and closes without an answer.
class HangUpServer {
 public:
  explicit HangUpServer(asio::io_context& io) : acceptor_(io, tcp::endpoint(kLoopback, 0)) {
    acceptor_.async_accept([](error_code ec, tcp::socket accepted) {
      if (ec) return;
      auto socket = std::make_shared<tcp::socket>(std::move(accepted));
      auto received = std::make_shared<asio::streambuf>();
      asio::async_read_until(*socket, *received, "\r\n\r\n",
                             [socket, received](error_code, std::size_t) { socket->close(); });
    });
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  tcp::acceptor acceptor_;
};

std::uint16_t unused_port(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(kLoopback, 0));
  return acceptor.local_endpoint().port();
}

BackendUrl backend(std::string scheme, std::string host, std::uint16_t port,
                   std::string base_path = "") {
  return BackendUrl{std::move(scheme), std::move(host), port, std::move(base_path)};
}

// Runs the io_context until the probe reports, then a little longer to catch
// a second report.
ProbeResult probe(asio::io_context& io, const BackendUrl& target, std::string path = "",
                  Milliseconds timeout = 5s) {
  struct Reports {
    int count = 0;
    std::optional<ProbeResult> first;
  };
  auto reports = std::make_shared<Reports>();
  async_probe(io, target, std::move(path), timeout, [reports](ProbeResult result) {
    if (++reports->count == 1) reports->first = std::move(result);
  });
  REQUIRE(reports->count == 0);
  while (!reports->first && io.run_one() > 0) {
  }
  io.run_for(50ms);
  REQUIRE(reports->count == 1);
  return *reports->first;
}

}  // namespace

TEST_CASE("http probe: a 200 answer is reachable, with the request built from the backend") {
  asio::io_context io;
  CannedServer server(io, canned_response(200, "OK", "hello"));

  ProbeResult result = probe(io, backend("http", "127.0.0.1", server.port(), "/base"), "/health");

  CHECK(result.reachable);
  CHECK(result.status_code == 200);
  CHECK_FALSE(result.tls_valid);
  CHECK(result.error.empty());
  CHECK(result.response_time >= 0ms);
  CHECK(result.response_time < 5000ms);
  const std::string& request = server.last_request();
  CHECK_THAT(request, Catch::StartsWith("GET /base/health HTTP/1.1\r\n"));
  CHECK_THAT(request, Catch::Contains("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
  CHECK_THAT(request, Catch::Contains("User-Agent: regd-probe\r\n"));
  CHECK_THAT(request, Catch::Contains("Connection: close\r\n"));
}

TEST_CASE("http probe: without base path or path the target is /") {
  asio::io_context io;
  CannedServer server(io, canned_response(204, "No Content"));

  ProbeResult result = probe(io, backend("http", "127.0.0.1", server.port()));

  CHECK(result.reachable);
  CHECK(result.status_code == 204);
  CHECK_THAT(server.last_request(), Catch::StartsWith("GET / HTTP/1.1\r\n"));
}

TEST_CASE("http probe: a 503 answer is still reachable") {
  asio::io_context io;
  CannedServer server(io, canned_response(503, "Service Unavailable", "down"));

  ProbeResult result = probe(io, backend("http", "127.0.0.1", server.port()));

  CHECK(result.reachable);
  CHECK(result.status_code == 503);
  CHECK(result.error.empty());
}

TEST_CASE("http probe: ws is probed as http") {
  asio::io_context io;
  CannedServer server(io, canned_response(200, "OK"));

  ProbeResult result = probe(io, backend("ws", "127.0.0.1", server.port()), "/socket");

  CHECK(result.reachable);
  CHECK(result.status_code == 200);
  CHECK_THAT(server.last_request(), Catch::StartsWith("GET /socket HTTP/1.1\r\n"));
}

TEST_CASE("http probe: a body larger than the drain limit does not hide the answer") {
  asio::io_context io;
  CannedServer server(io, canned_response(200, "OK", std::string(4 * 1024 * 1024, 'x')));

  ProbeResult result = probe(io, backend("http", "127.0.0.1", server.port()));

  CHECK(result.reachable);
  CHECK(result.status_code == 200);
}

TEST_CASE("http probe: a closed port is connection refused") {
  asio::io_context io;

  ProbeResult result = probe(io, backend("http", "127.0.0.1", unused_port(io)));

  CHECK_FALSE(result.reachable);
  CHECK(result.error == "connection refused");
}

TEST_CASE("http probe: a backend that never answers times out on time") {
  asio::io_context io;
  SilentServer server(io);

  auto started = std::chrono::steady_clock::now();
  ProbeResult result = probe(io, backend("http", "127.0.0.1", server.port()), "", 300ms);
  auto elapsed = std::chrono::steady_clock::now() - started;

  CHECK_FALSE(result.reachable);
  CHECK(result.error == "timeout");
  CHECK(elapsed >= 300ms);
  CHECK(elapsed < 3s);
}

TEST_CASE("http probe: a backend that hangs up without answering") {
  asio::io_context io;
  HangUpServer server(io);

  ProbeResult result = probe(io, backend("http", "127.0.0.1", server.port()));

  CHECK_FALSE(result.reachable);
  CHECK(result.error == "connection closed without a response");
}

TEST_CASE("http probe: an unknown host is a dns error") {
  asio::io_context io;

  ProbeResult result = probe(io, backend("http", "no-such-backend.invalid", 80));

  CHECK_FALSE(result.reachable);
  CHECK_THAT(result.error, Catch::StartsWith("dns: "));
}

// The probe's TLS context follows SSL_CERT_FILE / SSL_CERT_DIR whenever they
// change, so these cases can set them in any order within one process.
TEST_CASE("http probe: https against a CA the system does not trust is a tls failure") {
  TestPki pki;
  auto tls = pki.server_context("server");
  asio::io_context io;
  CannedServer server(io, canned_response(200, "OK"), tls.get());
  ScopedEnvironment environment;
  environment.set("SSL_CERT_FILE", std::nullopt);
  environment.set("SSL_CERT_DIR", std::nullopt);

  ProbeResult result = probe(io, backend("https", "127.0.0.1", server.port()));

  CHECK_FALSE(result.reachable);
  CHECK_FALSE(result.tls_valid);
  CHECK_THAT(result.error, Catch::StartsWith("tls: certificate verify failed"));
}

TEST_CASE("http probe: https trusted through SSL_CERT_FILE is valid") {
  TestPki pki;
  auto tls = pki.server_context("server");
  asio::io_context io;
  CannedServer server(io, canned_response(200, "OK"), tls.get());
  ScopedEnvironment environment;
  environment.set("SSL_CERT_FILE", pki.ca());

  SECTION("by IP address, which is sent without SNI") {
    ProbeResult result = probe(io, backend("https", "127.0.0.1", server.port()), "/tls");
    CHECK(result.reachable);
    CHECK(result.tls_valid);
    CHECK(result.status_code == 200);
    CHECK(server.last_server_name().empty());
    CHECK_THAT(server.last_request(), Catch::StartsWith("GET /tls HTTP/1.1\r\n"));
  }
  SECTION("by name, which is sent as SNI") {
    ProbeResult result = probe(io, backend("wss", "localhost", server.port()));
    CHECK(result.reachable);
    CHECK(result.tls_valid);
    CHECK(server.last_server_name() == "localhost");
  }
}

TEST_CASE("http probe: https with a certificate for another host is a tls failure") {
  TestPki pki;
  auto tls = pki.server_context("stranger");
  asio::io_context io;
  CannedServer server(io, canned_response(200, "OK"), tls.get());
  ScopedEnvironment environment;
  environment.set("SSL_CERT_FILE", pki.ca());

  ProbeResult result = probe(io, backend("https", "127.0.0.1", server.port()));

  CHECK_FALSE(result.reachable);
  CHECK_FALSE(result.tls_valid);
  CHECK(result.error == "tls: certificate verify failed: IP address mismatch");
}
