#include "support/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace reg::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::summary() const {
  if (status == 0) return "no response: " + error;
  return std::to_string(status) + " " + body;
}

// Asynchronous Beast operations on a private io_context, run to completion one
// at a time: the only way to give each step a timeout.
class KeepAliveHttpClient::Connection {
 public:
  // Returns why it failed, or "" once connected.
  std::string connect(const HostPort& server, Milliseconds timeout) {
    beast::error_code error;
    const auto address = asio::ip::make_address(server.host, error);
    if (error) return "bad address " + server.host;
    stream_.expires_after(timeout);
    error = run([&](auto done) { stream_.async_connect(tcp::endpoint(address, server.port), done); });
    if (error) return "cannot connect: " + error.message();
    stream_.socket().set_option(tcp::no_delay(true), error);
    open_ = true;
    return {};
  }

  bool open() const { return open_; }

  HttpResponse send(std::string_view method, std::string_view host, std::string_view target, std::string body,
                    const HttpHeaders& extra_headers, Milliseconds timeout) {
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, host);
    for (const auto& [name, value] : extra_headers) request.insert(name, value);
    request.keep_alive(true);
    request.body() = std::move(body);
    // A GET without a body announces none, as browsers send it.
    if (!request.body().empty() || request.method() != http::verb::get) request.prepare_payload();

    stream_.expires_after(timeout);
    auto error = run([&](auto done) { http::async_write(stream_, request, done); });
    if (error) return failure("cannot send the request: " + error.message());

    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    error = run([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
    if (error) return failure("no answer: " + error.message());

    const auto& message = parser.get();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = message.body();
    if (!message.keep_alive()) open_ = false;
    return response;
  }

 private:
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code error, auto&&...) { result = error; });
    io_.restart();
    io_.run();
    return result;
  }

  HttpResponse failure(std::string reason) {
    open_ = false;
    HttpResponse response;
    response.error = std::move(reason);
    return response;
  }

  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  bool open_ = false;
};

KeepAliveHttpClient::KeepAliveHttpClient(HostPort server) : server_(std::move(server)) {}
KeepAliveHttpClient::~KeepAliveHttpClient() = default;

HttpResponse KeepAliveHttpClient::get(std::string_view host, std::string_view target,
                                      const HttpHeaders& extra_headers, Milliseconds timeout) {
  return send("GET", host, target, "", extra_headers, timeout);
}

HttpResponse KeepAliveHttpClient::send(std::string_view method, std::string_view host, std::string_view target,
                                       std::string body, const HttpHeaders& extra_headers, Milliseconds timeout) {
  if (!connection_ || !connection_->open()) {
    connection_ = std::make_unique<Connection>();
    if (auto error = connection_->connect(server_, timeout); !error.empty()) {
      HttpResponse failed;
      failed.error = std::move(error);
      return failed;
    }
  }
  return connection_->send(method, host, target, std::move(body), extra_headers, timeout);
}

HttpResponse http_get(const HostPort& server, std::string_view host, std::string_view target,
                      const HttpHeaders& extra_headers, Milliseconds timeout) {
  KeepAliveHttpClient client(server);
  return client.get(host, target, extra_headers, timeout);
}

std::map<std::string, int> spread(const HostPort& server, std::string_view host, int count) {
  KeepAliveHttpClient client(server);
  std::map<std::string, int> answers;
  for (int i = 0; i < count; ++i) {
    const auto response = client.get(host, "/");
    ++answers[response.status == 200 ? response.body : response.summary()];
  }
  return answers;
}

}  // namespace reg::test
