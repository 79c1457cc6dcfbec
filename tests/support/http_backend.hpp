#pragma once
// A real HTTP/1.1 server on 127.0.0.1 that stands in for a service behind regd.
// It answers every request with `backend:NAME` and `X-Backend: NAME`, keeps
// connections alive, and records what it received so tests can check what the
// proxy forwarded.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "common/value_parsers.hpp"
#include "support/http_headers.hpp"

namespace reg::test {

struct RecordedRequest {
  std::string method;
  std::string target;
  HttpHeaders headers;

  // The field's value, "" when absent.
  std::string header(std::string_view name) const { return find_header(headers, name).value_or(""); }
};

class HttpBackend {
 public:
  explicit HttpBackend(std::string name, unsigned status = 200, Milliseconds delay = Milliseconds{0});
  // An https backend presenting `tls`'s certificate (see TestPki).
  HttpBackend(std::string name, std::unique_ptr<boost::asio::ssl::context> tls);
  ~HttpBackend();
  HttpBackend(const HttpBackend&) = delete;
  HttpBackend& operator=(const HttpBackend&) = delete;

  // The canonical backend URL regd shows for it: "http://127.0.0.1:PORT"
  // ("https://…" for a TLS backend).
  std::string url() const;

  // Later requests get this status (a maintenance page coming up, a backend failing).
  void set_status(unsigned status);

  std::size_t request_count() const;
  // Connections accepted so far: shows whether a client kept them alive.
  std::size_t connection_count() const;
  std::vector<RecordedRequest> requests() const;
  std::optional<RecordedRequest> last_request() const;

 private:
  class Server;
  std::unique_ptr<Server> server_;
};

}  // namespace reg::test
