#pragma once
// One request's trip to a backend: a pooled or fresh connection (TLS with a
// verified certificate for https), the request, and the answer relayed to
// the client as it arrives, so a large body never sits in memory whole. Retries once on a fresh connection when a reused
// keep-alive connection turns out dead (DESIGN.md "Known traps").
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>

#include "common/value_parsers.hpp"
#include "daemon/proxy/relay_buffers.hpp"
#include "daemon/proxy/tls_upstream.hpp"
#include "daemon/proxy/worker_io.hpp"

namespace reg::proxy {

class ConnectionDeadline;
class WorkerContext;

struct ExchangePlan {
  const BackendUrl* backend = nullptr;  // kept alive by the caller's snapshot
  Milliseconds connect_timeout{0};
  // Until the answer's header arrives, and then between two reads of its body.
  Milliseconds response_timeout{0};
  Milliseconds client_write_timeout{0};
  const std::vector<std::pair<std::string, std::string>>* response_headers = nullptr;
  bool mark_maintenance = false;    // add X-Maintenance-Mode: true
  bool client_keep_alive = false;   // the client connection may stay open afterwards
  unsigned client_version = 11;     // 10 or 11
  // A websocket handshake: the request keeps its Upgrade and Connection
  // headers, and a 101 answer hands both sockets over to a tunnel.
  bool upgrade = false;
  // When the client's request began: an answer that comes a while later is
  // relayed only if the client is still there.
  std::chrono::steady_clock::time_point client_waiting_since;
};

struct ExchangeResult {
  enum class Outcome {
    relayed,            // the backend's answer reached the client in full
    upgraded,           // a 101 reached the client; `upstream` or `tls_upstream` now carries the tunnel
    connect_failed,     // no answer: the backend could not be reached (TLS handshake included)
    connect_timed_out,  // no answer: connecting took longer than connect_timeout
    timed_out,          // no answer: the answer took too long
    bad_answer,         // no usable answer: reset, malformed, closed early
    relay_failed,       // the answer started but broke off; the client connection must close
    client_gone,        // the answer came after the client had closed its connection; nothing was relayed
    aborted,            // abort_exchange(): the proxy is stopping
  };
  Outcome outcome = Outcome::bad_answer;
  int status = 0;                // the status the client got; 0 while no answer had begun
  std::uint64_t bytes_sent = 0;  // to the client, header and body
  bool keep_alive = false;       // relayed: the client connection may stay open
  std::string detail;            // for no answer: what went wrong, for the error page
  std::optional<boost::asio::ip::tcp::socket> upstream;  // upgraded only: an http or ws backend
  std::optional<TlsUpstream> tls_upstream;                // upgraded only: an https or wss backend
  std::string upstream_leftover;  // upgraded: bytes the backend sent after its 101
};

// Whether a client that has waited a while since `waiting_since` closed its
// connection meanwhile (net::peer_has_closed): nothing is relayed to it then.
// Sooner the question is not asked; it costs a system call, and a client
// gone sooner cost the backend little.
bool client_gave_up(WorkerSocket& client, std::chrono::steady_clock::time_point waiting_since);

class UpstreamExchange;

// Who learns how an exchange ended. An interface rather than a
// std::function: the exchange keeps its listener alive, and a callable
// holding a shared_ptr was one more allocation per request.
class ExchangeListener {
 public:
  virtual void on_exchange_done(ExchangeResult result) = 0;

 protected:
  ~ExchangeListener() = default;
};

// Starts the exchange: `buffers` (taken from the worker's relay_buffers)
// with the forwarded head, written for this backend, in its request_head,
// and `request_body` go to the backend; `method` is the request's. `listener` hears exactly
// once, on the worker's thread, and is kept alive until then. `client` and its `deadline` must stay open and
// untouched by anyone else until then; the exchange sets the deadline of each
// of its steps, and when one passes, the deadline's owner calls
// interrupt_exchange(). The returned handle can abort the exchange (when the
// proxy stops); it does not keep it alive.
std::weak_ptr<UpstreamExchange> exchange_with_backend(
    WorkerContext& worker, WorkerSocket& client, ConnectionDeadline& deadline,
    boost::beast::http::verb method, std::string request_body, std::unique_ptr<RelayBuffer> buffers, ExchangePlan plan,
    std::shared_ptr<ExchangeListener> listener);

// Closes the backend connection; the exchange then ends with a failure.
void abort_exchange(const std::weak_ptr<UpstreamExchange>& exchange);

// The deadline of the exchange's current step passed: closes the backend
// connection, and the step ends as timed out.
void interrupt_exchange(const std::weak_ptr<UpstreamExchange>& exchange);

}  // namespace reg::proxy
