#pragma once
// A blocking HTTP/1.1 client for driving regd's proxy and admin port. Failures
// are part of the answer (status 0 and `error`), because a refused or timed-out
// request is often exactly what a test looks for.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/value_parsers.hpp"
#include "support/http_headers.hpp"

namespace reg::test {

inline constexpr Milliseconds default_http_timeout{10'000};

struct HttpResponse {
  int status = 0;     // 0: no response, see `error`
  std::string error;  // why there is no response
  HttpHeaders headers;
  std::string body;

  // The field's value, "" when absent.
  std::string header(std::string_view name) const { return find_header(headers, name).value_or(""); }
  // "200 backend:A" or "no response: connection refused", for failure messages.
  std::string summary() const;
};

// GET `target` on a new connection, with `host` as the Host header.
HttpResponse http_get(const HostPort& server, std::string_view host, std::string_view target,
                      const HttpHeaders& extra_headers = {}, Milliseconds timeout = default_http_timeout);

// How many of `count` GETs of "/" over one connection got each answer: the
// body of a 200 ("backend:A"), else the summary ("503 …").
std::map<std::string, int> spread(const HostPort& server, std::string_view host, int count);

// Several requests over one connection, the way browsers and load balancers talk.
// Reconnects only when the server announced it would close.
class KeepAliveHttpClient {
 public:
  explicit KeepAliveHttpClient(HostPort server);
  ~KeepAliveHttpClient();
  KeepAliveHttpClient(const KeepAliveHttpClient&) = delete;
  KeepAliveHttpClient& operator=(const KeepAliveHttpClient&) = delete;

  HttpResponse get(std::string_view host, std::string_view target, const HttpHeaders& extra_headers = {},
                   Milliseconds timeout = default_http_timeout);
  // Any method ("POST", "PUT", …), with `body` as the request body.
  HttpResponse send(std::string_view method, std::string_view host, std::string_view target, std::string body,
                    const HttpHeaders& extra_headers = {}, Milliseconds timeout = default_http_timeout);

 private:
  class Connection;
  HostPort server_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace reg::test
