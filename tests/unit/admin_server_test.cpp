#include "daemon/admin/admin_server.hpp"

#include <future>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

using reg::HostPort;
using reg::admin::AdminPage;
using reg::admin::AdminServer;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const asio::ip::address kLoopback = asio::ip::make_address("127.0.0.1");
using Response = http::response<http::string_body>;

// AdminServer does not report an ephemeral port, so tests choose a port that
// was free a moment ago.
std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(kLoopback, 0));
  return acceptor.local_endpoint().port();
}

// Runs the server's io_context on its own thread so the test can use
// blocking clients; stops and joins on destruction.
class IoThread {
 public:
  explicit IoThread(asio::io_context& io)
      : io_(io), work_(asio::make_work_guard(io)), thread_([&io] { io.run(); }) {}
  ~IoThread() {
    io_.stop();
    thread_.join();
  }

 private:
  asio::io_context& io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

// One blocking client connection to the admin port.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_) { stream_.connect(tcp::endpoint(kLoopback, port)); }

  Response send(http::verb method, const std::string& target) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.prepare_payload();
    http::write(stream_, request);
    return read_response(method == http::verb::head);
  }

  Response send_raw(const std::string& bytes) {
    asio::write(stream_, asio::buffer(bytes));
    return read_response(false);
  }

  // True when the server has closed the connection.
  bool closed_by_server() {
    char byte;
    beast::error_code ec;
    stream_.socket().read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  Response read_response(bool head) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    http::read(stream_, buffer_, parser);
    return parser.release();
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

Response get(std::uint16_t port, const std::string& target) {
  return Client(port).send(http::verb::get, target);
}

}  // namespace

TEST_CASE("admin server: /healthz answers ok") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  REQUIRE(server.start().ok());
  IoThread running(io);

  Response response = get(port, "/healthz");

  CHECK(response.result() == http::status::ok);
  CHECK(response[http::field::content_type] == "text/plain");
  CHECK(response.body() == "ok\n");
}

TEST_CASE("admin server: a page rendered apart leaves the io thread free meanwhile") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  std::thread::id io_thread;
  std::thread::id render_thread;
  std::promise<void> may_finish;
  std::shared_future<void> finish = may_finish.get_future().share();
  server.add_page_rendered_apart("/metrics", [&] {
    io_thread = std::this_thread::get_id();
    std::string prepared = "regd_up 1\n";
    return [&, prepared, finish] {
      render_thread = std::this_thread::get_id();
      finish.wait();
      return AdminPage{"text/plain; version=0.0.4", prepared};
    };
  });
  REQUIRE(server.start().ok());
  IoThread running(io);

  auto metrics = std::async(std::launch::async, [port] { return get(port, "/metrics"); });
  // While the page is held up in its renderer, the io thread still answers.
  auto health = std::async(std::launch::async, [port] { return get(port, "/healthz"); });
  const bool answered_meanwhile = health.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  const bool metrics_held_up = metrics.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout;
  may_finish.set_value();
  CHECK(answered_meanwhile);
  CHECK(metrics_held_up);
  CHECK(health.get().body() == "ok\n");
  const Response response = metrics.get();
  CHECK(response.result() == http::status::ok);
  CHECK(response[http::field::content_type] == "text/plain; version=0.0.4");
  CHECK(response.body() == "regd_up 1\n");
  CHECK(render_thread != io_thread);
  CHECK(render_thread != std::thread::id{});
  CHECK(Client(port).send(http::verb::head, "/metrics")[http::field::content_length] == "10");
}

TEST_CASE("admin server: serves a registered page") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  int renders = 0;
  server.add_page("/metrics", [&renders] {
    ++renders;
    return AdminPage{"text/plain; version=0.0.4", "regd_up 1\n"};
  });
  REQUIRE(server.start().ok());
  IoThread running(io);

  SECTION("GET, also with a query string") {
    Response response = get(port, "/metrics?format=text");
    CHECK(response.result() == http::status::ok);
    CHECK(response[http::field::content_type] == "text/plain; version=0.0.4");
    CHECK(response.body() == "regd_up 1\n");
  }
  SECTION("HEAD has the headers of GET and no body") {
    Client client(port);
    Response response = client.send(http::verb::head, "/metrics");
    CHECK(response.result() == http::status::ok);
    CHECK(response[http::field::content_length] == "10");
    CHECK(response.body().empty());
    CHECK(client.send(http::verb::get, "/healthz").body() == "ok\n");
  }
  CHECK(renders == 1);
}

TEST_CASE("admin server: an unknown path is 404") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  REQUIRE(server.start().ok());
  IoThread running(io);

  CHECK(get(port, "/nothing-here").result() == http::status::not_found);
  CHECK(get(port, "/healthz/").result() == http::status::not_found);
}

TEST_CASE("admin server: methods other than GET and HEAD are 405") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  REQUIRE(server.start().ok());
  IoThread running(io);

  Response response = Client(port).send(http::verb::post, "/healthz");

  CHECK(response.result() == http::status::method_not_allowed);
  CHECK(response[http::field::allow] == "GET, HEAD");
}

TEST_CASE("admin server: keeps a connection alive across requests") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  REQUIRE(server.start().ok());
  IoThread running(io);
  Client client(port);

  Response first = client.send(http::verb::get, "/healthz");
  Response second = client.send(http::verb::get, "/missing");
  Response third = client.send(http::verb::get, "/healthz");

  CHECK(first.keep_alive());
  CHECK(second.result() == http::status::not_found);
  CHECK(third.body() == "ok\n");
}

TEST_CASE("admin server: rejects requests it must not guess at") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  REQUIRE(server.start().ok());
  IoThread running(io);
  Client client(port);

  SECTION("Transfer-Encoding together with Content-Length") {
    Response response = client.send_raw(
        "POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    CHECK(response.result() == http::status::bad_request);
  }
  SECTION("a header over 16 KiB") {
    Response response = client.send_raw("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " +
                                        std::string(17 * 1024, 'x') + "\r\n\r\n");
    CHECK(response.result() == http::status::request_header_fields_too_large);
  }
  SECTION("a body over 64 KiB") {
    Response response = client.send_raw("POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                                        std::to_string(65 * 1024) + "\r\n\r\n");
    CHECK(response.result() == http::status::payload_too_large);
  }
  SECTION("something that is not HTTP") {
    Response response = client.send_raw("HELLO THERE\r\n\r\n");
    CHECK(response.result() == http::status::bad_request);
  }
  CHECK(client.closed_by_server());
}

TEST_CASE("admin server: an occupied port is reported with address and reason") {
  asio::io_context io;
  tcp::acceptor occupant(io, tcp::endpoint(kLoopback, 0));
  std::uint16_t port = occupant.local_endpoint().port();
  AdminServer server(io, HostPort{"127.0.0.1", port});

  reg::Status started = server.start();

  REQUIRE_FALSE(started.ok());
  CHECK(started.error() ==
        "cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use");
}

TEST_CASE("admin server: stop closes the listener and open connections") {
  asio::io_context io;
  std::uint16_t port = free_port();
  AdminServer server(io, HostPort{"127.0.0.1", port});
  REQUIRE(server.start().ok());
  auto running = std::make_unique<IoThread>(io);
  Client client(port);
  REQUIRE(client.send(http::verb::get, "/healthz").result() == http::status::ok);

  running.reset();
  server.stop();

  CHECK(client.closed_by_server());
  CHECK_THROWS(Client(port));
}
