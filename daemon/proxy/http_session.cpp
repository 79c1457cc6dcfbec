#include "daemon/proxy/http_session.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "daemon/proxy/byte_tunnel.hpp"
#include "daemon/proxy/forwarded_headers.hpp"
#include "daemon/proxy/header_reading.hpp"
#include "daemon/proxy/forwarded_request_head.hpp"
#include "daemon/proxy/idempotent_method.hpp"
#include "daemon/proxy/path_normalization.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/coarse_clock.hpp"
#include "daemon/proxy/connection_deadline.hpp"
#include "daemon/proxy/proxy_answers.hpp"
#include "daemon/proxy/rate_limiter.hpp"
#include "daemon/proxy/request_parser.hpp"
#include "daemon/proxy/request_checks.hpp"
#include "daemon/proxy/request_target.hpp"
#include "daemon/proxy/route_runtime.hpp"
#include "daemon/proxy/trusted_proxies.hpp"
#include "daemon/proxy/upstream_exchange.hpp"
#include "daemon/proxy/worker_context.hpp"

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Response = http::response<http::string_body>;

// What one read of a request header (or of the wait for the next one) asks for.
constexpr std::size_t kReadChunkBytes = 4096;
// Room for the forwarded head's fixed names and values beyond the client's
// head: X-Forwarded-For, -Proto, -Host, X-Real-IP, Content-Length, Host.
constexpr std::size_t kForwardedHeadExtraBytes = 160;
// After the last answer on a connection, unread request bytes are drained for
// this long before closing, so that the close does not turn into a reset that
// destroys the answer on its way to the client.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kDrainRetryAfter = "5";
constexpr std::string_view kCircuitRetryAfter = "5";

class HttpSession final : public ClientConnection,
                          public ExchangeListener,
                          public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(WorkerContext& worker, WorkerSocket socket)
      : worker_(worker),
        client_(std::move(socket)),
        // The client's pending I/O is only cancelled, never closed, so that a
        // header read cut short can still be answered with 408.
        deadline_(client_.get_executor(), [this] {
          error_code ignored;
          client_.cancel(ignored);
          interrupt_exchange(exchange_);
        }) {
    worker_.connections.insert(this);
    worker_.connection_count.fetch_add(1, std::memory_order_relaxed);
  }

  ~HttpSession() override {
    // Only when the worker tears down mid-request; the route's in-flight
    // count must still come back down.
    record(0, Disposition::proxy_rejected);
    worker_.connections.erase(this);
    worker_.connection_count.fetch_sub(1, std::memory_order_relaxed);
  }

  void start() {
    error_code ec;
    client_.set_option(tcp::no_delay(true), ec);
    // Answers are written with write_eagerly, which must never wait on the worker's thread.
    client_.non_blocking(true, ec);
    if (ec) return;
    const auto peer = client_.remote_endpoint(ec);
    if (ec) return;
    peer_ = client_address_text(peer.address());
    peer_ip_ = peer.address();
    // Once per connection: a reload reaches the connections accepted after it.
    trusted_proxies_ = worker_.settings.trusted_proxies.current();
    peer_trusted_ = trusted_proxies_->contains(peer_ip_);
    deadline_.belong_to(weak_from_this());
    read_request_header();
  }

  // A websocket has no natural end to wait for, so it is closed at once too.
  void finish_and_close() override {
    if (waiting_for_request_ || !tunnel_.expired()) close_now();
  }

  void close_now() override {
    abort_exchange(exchange_);
    if (const auto tunnel = tunnel_.lock()) tunnel->close();
    error_code ignored;
    client_.close(ignored);
    if (tunnel_client_) tunnel_client_->close(ignored);
  }

 private:
  // What the proxy knows about the request being served.
  struct InFlight {
    Clock::time_point started;
    std::optional<Clock::time_point> answered;  // upgraded requests: when the 101 went out
    PoolHold pool;  // keeps the snapshot it was routed on alive
    const BackendEntry* entry = nullptr;  // whose runtime counts the request
    std::string original_host;
    // Bytes on the client socket for this request: the request as read
    // (header, body and its framing) and everything written back (interim
    // 100 Continue, header, body); tunnels add what they carry.
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
    unsigned version = 11;
    bool head = false;
    bool keep_alive = false;  // what the client asked for
    bool has_body = false;
    bool maintenance = false;
    bool upgrade = false;
    std::optional<CircuitAdmission> circuit;  // settled exactly once per attempt
    int retries_left = 0;  // attempts on other backends still allowed after a connect failure
    bool access_pending = false;  // answered or read, and not in the access log yet
    std::string method;  // for the access log; empty until the header is read
    std::string path;    // the same, without the query
    std::string normalized_path;  // what the request is routed and forwarded on, when it differs from the path sent
    RequestTarget target;  // as sent: views into the request, which stays until the next one is read
    const BackendUrl* sent_to = nullptr;  // the backend last tried, for the access log
  };

  void read_request_header() {
    waiting_for_request_ = true;
    parser_.emplace(message_);
    parser_->header_limit(worker_.settings.max_header_bytes);
    // The route, known only after the header, sets the real limit; until
    // then no Content-Length may fail the header (never boost::none: Beast 1.74).
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // Slowloris guard: the whole header must arrive within client_header_timeout.
    deadline_.expires_after(worker_.settings.client_header_timeout);
    header_bytes_ = 0;
    parse_request_header();
  }

  void parse_request_header() {
    error_code ec;
    header_bytes_ += feed_header(*parser_, buffer_, ec);
    if (ec) return on_request_header(ec, header_bytes_);
    if (parser_->is_header_done()) return on_request_header({}, header_bytes_);
    client_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            beast::bind_front_handler(&HttpSession::on_request_bytes, shared_from_this()));
  }

  void on_request_bytes(error_code ec, std::size_t bytes) {
    buffer_.commit(bytes);
    ec = header_read_outcome(*parser_, ec);
    if (ec) return on_request_header(ec, header_bytes_);
    parse_request_header();
  }

  void on_request_header(error_code ec, std::size_t bytes) {
    waiting_for_request_ = false;
    const bool timed_out = deadline_.expired();
    deadline_.expires_never();
    request_ = InFlight{};
    request_.started = Clock::now();
    request_.bytes_received = bytes;
    if (timed_out && ec == asio::error::operation_aborted) {
      // A connection that never began a request (a browser's preconnect)
      // just closes, as after a keep-alive idle timeout.
      if (buffer_.size() == 0) return close_now();
      return respond(plain_response(http::status::request_timeout, "request header timeout\n"),
                     Disposition::proxy_rejected);
    }
    if (ec == http::error::header_limit) {
      return respond(plain_response(http::status::request_header_fields_too_large,
                                    "request header fields too large\n"),
                     Disposition::proxy_rejected);
    }
    if (ec) {
      if (is_malformed_request(ec)) {
        return respond(plain_response(http::status::bad_request, "malformed request\n"),
                       Disposition::proxy_rejected);
      }
      return close_now();
    }
    request_.access_pending = true;

    const ClientRequest& request = message_;
    request_.version = request.version();
    request_.head = request.method() == http::verb::head;
    request_.keep_alive = parser_->keep_alive();
    request_.has_body = parser_->content_length().has_value() || parser_->chunked();
    if (const auto problem = framing_problem(request)) {
      return respond(plain_response(http::status::bad_request, std::string(*problem)),
                     Disposition::proxy_rejected);
    }
    auto target = parse_request_target(request.target());
    // The asterisk-form is OPTIONS's alone (RFC 9112 §3.2.4).
    if (!target || (target->path == "*" && request.method() != http::verb::options)) {
      return respond(plain_response(http::status::bad_request, "invalid request target\n"),
                     Disposition::proxy_rejected);
    }
    request_.target = *target;
    if (target->path != "*") {
      NormalizedPath normal = normalize_path(target->path);
      if (!normal.valid) {
        return respond(plain_response(http::status::bad_request, "invalid request path\n"),
                       Disposition::proxy_rejected);
      }
      request_.normalized_path = std::move(normal.rewritten);
      if (!request_.normalized_path.empty()) target->path = request_.normalized_path;
    }
    std::string_view host = target->authority;
    if (host.empty()) {
      if (request.count(http::field::host) > 1) {
        return respond(plain_response(http::status::bad_request, "more than one Host header\n"),
                       Disposition::proxy_rejected);
      }
      host = request[http::field::host];
      if (host.empty() && request_.version >= 11) {
        return respond(plain_response(http::status::bad_request, "missing Host header\n"),
                       Disposition::proxy_rejected);
      }
    }
    if (!is_valid_host(host)) {
      return respond(plain_response(http::status::bad_request, "invalid host\n"), Disposition::proxy_rejected);
    }
    request_.original_host = host;
    if (worker_.access_log != nullptr) {
      request_.method = request.method_string();
      request_.path = target->path;
    }
    route(target->path == "*" ? std::string_view{"/"} : target->path);
  }

  void route(std::string_view path) {
    const Pool* pool = worker_.routes().match(normalize_host(request_.original_host), path);
    if (pool == nullptr || pool->backends.empty()) {
      return respond(plain_response(http::status::not_found, "no route for this host and path\n"),
                     Disposition::proxy_rejected);
    }
    request_.pool = worker_.hold(*pool);

    const BackendChoice choice = worker_.balancer.choose(*pool, coarse_system_now(), request_.started);
    // A route in maintenance answers for itself when the balancer has nothing
    // to offer: its backends being down, drained or detached is what
    // maintenance is usually for.
    const BackendEntry* answering_for_maintenance = nullptr;
    if (choice.verdict != BackendChoice::Verdict::forward) {
      const auto found = std::find_if(pool->backends.begin(), pool->backends.end(),
                                      [](const BackendEntry& entry) { return entry.maintenance != nullptr; });
      if (found != pool->backends.end()) answering_for_maintenance = &*found;
    }
    // A pool with no backend in rotation charges the refusal to its first route.
    request_.entry = answering_for_maintenance ? answering_for_maintenance
                     : choice.entry != nullptr  ? choice.entry
                                                : &pool->backends.front();
    request_.entry->runtime->request_started(worker_.index);
    if (!answering_for_maintenance && choice.verdict != BackendChoice::Verdict::forward) {
      return refuse(choice.verdict);
    }

    const BackendEntry& entry = *request_.entry;
    if (entry.maintenance) {
      request_.maintenance = true;
      if (!entry.maintenance->backend) return respond(maintenance_response(), Disposition::maintenance);
      return read_request_body();
    }
    const auto steady_now = request_.started;
    if (entry.rate_limiter) {
      // Only a trusted proxy's X-Forwarded-For may name another client.
      const std::string forwarded_client =
          peer_trusted_ ? trusted_proxies_->client_behind(message_.values(kForwardedFor), peer_ip_) : std::string();
      const RateDecision decision =
          entry.rate_limiter->check(peer_trusted_ ? forwarded_client : peer_, steady_now);
      if (!decision.allowed) return respond(rate_limited_response(decision), Disposition::rate_limited);
    }
    if (entry.circuit) {
      request_.circuit = entry.circuit->try_acquire(steady_now);
      report_circuit_change(entry.route_number, request_.circuit->transition);
      if (!request_.circuit->allowed) {
        request_.circuit.reset();
        return refuse_for_open_circuit();
      }
    }
    if (asks_for_websocket(message_)) {
      if (!entry.options.websocket) {
        return respond(plain_response(http::status::bad_request,
                                      "websocket is not enabled for this route\n"),
                       Disposition::proxy_rejected);
      }
      request_.upgrade = true;
    }
    read_request_body();
  }

  // The balancer's refusal of a request no route in maintenance answers for.
  void refuse(BackendChoice::Verdict verdict) {
    switch (verdict) {
      case BackendChoice::Verdict::no_backend:
        return respond(plain_response(http::status::service_unavailable, "no backend available for this route\n"),
                       Disposition::no_backend);
      case BackendChoice::Verdict::circuit_open:
        return refuse_for_open_circuit();
      case BackendChoice::Verdict::drain_rejected: {
        auto response = plain_response(http::status::service_unavailable, "this service is draining; retry shortly\n");
        response.set(http::field::retry_after, kDrainRetryAfter);
        return respond(std::move(response), Disposition::drain_rejected);
      }
      case BackendChoice::Verdict::forward:
        break;
    }
  }

  void refuse_for_open_circuit() {
    auto response = plain_response(http::status::service_unavailable, "circuit open: the backend is failing\n");
    response.set(http::field::retry_after, kCircuitRetryAfter);
    respond(std::move(response), Disposition::circuit_rejected);
  }

  void read_request_body() {
    if (parser_->is_done()) return forward();
    const std::uint64_t limit = request_.entry->options.max_body;
    if (parser_->content_length().value_or(0) > limit) return reject_body_too_large();
    parser_->body_limit(limit);
    if (!expects_continue(message_)) return read_rest_of_request();

    // The client waits for this before it sends the body; the backend only
    // ever sees the body whole, so the proxy answers for it.
    deadline_.expires_after(worker_.settings.client_idle_timeout);
    asio::async_write(client_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](error_code ec, std::size_t bytes) {
                        self->request_.bytes_sent += bytes;
                        if (ec) return self->abandon_request();
                        self->read_rest_of_request();
                      });
  }

  // Read piece by piece, each with the keep-alive timeout for itself: it bounds
  // a client's silence, not the length of an upload over a slow link (as
  // nginx's client_body_timeout and HAProxy's timeout client do).
  void read_rest_of_request() {
    deadline_.expires_after(worker_.settings.client_idle_timeout);
    http::async_read_some(client_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_request_body_piece, shared_from_this()));
  }

  void on_request_body_piece(error_code ec, std::size_t bytes) {
    request_.bytes_received += bytes;
    if (ec == http::error::body_limit) return reject_body_too_large();
    if (ec) {
      if (is_malformed_request(ec)) {
        return respond(plain_response(http::status::bad_request, "malformed request body\n"),
                       Disposition::proxy_rejected);
      }
      return abandon_request();
    }
    if (!parser_->is_done()) return read_rest_of_request();
    forward();
  }

  void reject_body_too_large() {
    respond(plain_response(http::status::payload_too_large, "request body too large\n"),
            Disposition::proxy_rejected);
  }

  // The request as the client sent it goes to every backend tried; the head
  // each one gets is written for it by send_to_backend, from message_, which
  // stays until the request ends.
  void forward() {
    // The body is buffered whole, so a retry can resend it; only methods a
    // client may repeat are retried, and never to a maintenance backend.
    request_.retries_left =
        !request_.maintenance && is_idempotent(message_.method()) ? request_.entry->options.retries : 0;
    if (request_.retries_left > 0) retry_body_ = message_.body();
    send_to_backend(std::move(message_.body()));
  }

  void send_to_backend(std::string body) {
    const ClientRequest& request = message_;
    const BackendEntry& entry = *request_.entry;
    const BackendUrl& backend = request_.maintenance ? *entry.maintenance->backend : entry.backend;
    RequestTarget target = request_.target;
    if (!request_.normalized_path.empty()) target.path = request_.normalized_path;
    // A maintenance backend gets path and query as routed, without the route's rewriting.
    const std::string backend_target =
        request_.maintenance
            ? rewrite_target(target, {}, {})
            : rewrite_target(target, entry.options.strip_prefix ? std::string_view{request_.pool->path} : "",
                             backend.base_path);
    const std::string host = backend_host_header(
        request_.original_host, request_.maintenance || entry.options.preserve_host, backend);
    ForwardedRequest forwarded;
    forwarded.target = backend_target;
    forwarded.host = host;
    forwarded.peer = peer_;
    forwarded.original_host = request_.original_host;
    if (request_.has_body) forwarded.content_length = body.size();
    forwarded.upgrade = request_.upgrade;
    std::unique_ptr<RelayBuffer> buffers = worker_.relay_buffers.take();
    // The client's head and what the proxy adds, in one allocation at most.
    buffers->request_head.reserve(header_bytes_ + backend_target.size() + host.size() + 2 * peer_.size() +
                                  request_.original_host.size() + kForwardedHeadExtraBytes);
    append_forwarded_request_head(buffers->request_head, request, forwarded);

    request_.sent_to = &backend;
    ExchangePlan plan;
    plan.backend = &backend;
    plan.connect_timeout = entry.options.connect_timeout;
    plan.response_timeout = entry.options.timeout;
    plan.client_write_timeout = worker_.settings.client_idle_timeout;
    plan.response_headers = &entry.response_headers;
    plan.mark_maintenance = request_.maintenance;
    plan.client_keep_alive = request_.keep_alive && !worker_.stopping;
    plan.client_version = request_.version;
    plan.upgrade = request_.upgrade;
    plan.client_waiting_since = request_.started;
    exchange_ =
        exchange_with_backend(worker_, client_, deadline_, request.method(), std::move(body), std::move(buffers), plan,
                              shared_from_this());
  }

  // PROTOCOL.md §5 option `retries`: the backend could not be reached, so
  // no byte of the request reached it, and another backend of the pool may
  // take it. The failed attempt counts on its own route (an error, and a
  // failure for its circuit breaker); the client's bytes and answer count
  // where the request ends. False when no retry is left or no other backend
  // can take it: the failed backend then answers for the request as usual.
  bool retry_on_another_backend() {
    if (request_.retries_left == 0 || !retry_body_ || worker_.stopping) return false;
    tried_.push_back(request_.entry);
    std::optional<Attempt> next = admit_next_backend();
    if (!next) return false;

    settle_circuit(0, Disposition::backend_failure);
    request_.entry->runtime->request_finished(
        worker_.index, RequestOutcome{Disposition::backend_failure, 0, 0, 0, elapsed_since_start()});
    request_.entry = next->entry;
    request_.circuit = next->circuit;
    request_.entry->runtime->request_started(worker_.index);
    --request_.retries_left;
    // The last attempt may send the kept copy itself.
    send_to_backend(request_.retries_left > 0 ? *retry_body_ : std::move(*retry_body_));
    return true;
  }

  struct Attempt {
    const BackendEntry* entry = nullptr;
    std::optional<CircuitAdmission> circuit;
  };

  // The next backend of the pool that can take the retried request, with its
  // circuit breaker's admission; the backends tried already are skipped.
  std::optional<Attempt> admit_next_backend() {
    for (;;) {
      const auto steady_now = std::chrono::steady_clock::now();
      const BackendChoice choice =
          worker_.balancer.choose(*request_.pool, std::chrono::system_clock::now(), steady_now, tried_);
      if (choice.verdict != BackendChoice::Verdict::forward) return std::nullopt;
      const BackendEntry& entry = *choice.entry;
      tried_.push_back(&entry);
      if (entry.maintenance || (request_.upgrade && !entry.options.websocket)) continue;
      Attempt attempt{&entry, std::nullopt};
      if (entry.circuit) {
        attempt.circuit = entry.circuit->try_acquire(steady_now);
        report_circuit_change(entry.route_number, attempt.circuit->transition);
        if (!attempt.circuit->allowed) continue;
      }
      return attempt;
    }
  }

  void on_exchange_done(ExchangeResult result) override {
    using Outcome = ExchangeResult::Outcome;
    request_.bytes_sent += result.bytes_sent;
    const Disposition relayed = request_.maintenance ? Disposition::maintenance : Disposition::proxied;
    switch (result.outcome) {
      case Outcome::relayed:
        return end_request(result.status, relayed, result.keep_alive);
      case Outcome::upgraded:
        return start_tunnel(std::move(result));
      case Outcome::relay_failed:
      case Outcome::aborted:
      case Outcome::client_gone:
        // The status the client got, if the answer had begun; 0 if not.
        record(result.status, relayed);
        return close_now();
      case Outcome::connect_failed:
      case Outcome::connect_timed_out:
        if (retry_on_another_backend()) return;
        break;
      case Outcome::bad_answer:
      case Outcome::timed_out:
        break;
    }
    // The maintenance backend gave no answer: the built-in page stands in.
    if (request_.maintenance) return respond(maintenance_response(), Disposition::maintenance);
    // Nobody is left to get the 502 or 504; the backend's failure still counts.
    if (client_gave_up(client_, request_.started)) {
      record(0, Disposition::backend_failure);
      return close_now();
    }
    const bool timed_out = result.outcome == Outcome::timed_out || result.outcome == Outcome::connect_timed_out;
    respond(plain_response(timed_out ? http::status::gateway_timeout : http::status::bad_gateway,
                           std::string(timed_out ? "gateway timeout: " : "bad gateway: ") +
                               result.detail + "\n"),
            Disposition::backend_failure);
  }

  void start_tunnel(ExchangeResult result) {
    request_.answered = Clock::now();
    const auto read_ahead = buffer_.data();
    std::string to_upstream(asio::buffers_begin(read_ahead), asio::buffers_end(read_ahead));
    buffer_.consume(buffer_.size());
    deadline_.expires_never();
    auto done = [self = shared_from_this()](TunnelTotals totals) {
      self->request_.bytes_sent += totals.to_client;
      self->request_.bytes_received += totals.from_client;
      self->record(101, Disposition::proxied);
      self->close_now();
    };
    const Milliseconds idle_timeout = worker_.settings.client_idle_timeout;
    // The tunnel takes sockets with a type-erased executor.
    tunnel_client_.emplace(std::move(client_));
    auto tunnel = result.tls_upstream
                      ? make_byte_tunnel(*tunnel_client_, std::move(*result.tls_upstream), idle_timeout, std::move(done))
                      : make_byte_tunnel(*tunnel_client_, std::move(*result.upstream), idle_timeout, std::move(done));
    tunnel_ = tunnel;
    tunnel->start(std::move(to_upstream), std::move(result.upstream_leftover));
  }

  // Answers the request from the proxy itself.
  void respond(Response response, Disposition disposition) {
    request_.access_pending = true;
    if (request_.entry != nullptr) set_response_headers(response, request_.entry->response_headers);
    // Unread body bytes would be taken for the next request: only a request
    // read in full leaves the connection reusable.
    const bool keep_alive = request_.keep_alive && parser_->is_done() && !worker_.stopping;
    response.keep_alive(keep_alive);
    if (keep_alive && request_.version == 10) response.set(http::field::connection, "keep-alive");
    response.prepare_payload();
    // HEAD: the header announces the body's length, the body stays home.
    if (request_.head) response.body().clear();
    const int status = static_cast<int>(response.result_int());
    own_response_ = std::move(response);
    deadline_.expires_after(worker_.settings.client_idle_timeout);
    http::async_write(client_, *own_response_,
                      [self = shared_from_this(), status, disposition, keep_alive](error_code ec,
                                                                                   std::size_t bytes) {
                        self->own_response_.reset();
                        self->request_.bytes_sent += bytes;
                        if (ec) {
                          self->record(status, disposition);
                          return self->close_now();
                        }
                        self->end_request(status, disposition, keep_alive);
                      });
  }

  // The client went away or stalled in the middle of its request.
  void abandon_request() {
    record(0, Disposition::proxy_rejected);
    close_now();
  }

  void end_request(int status, Disposition disposition, bool keep_alive) {
    record(status, disposition);
    if (!keep_alive || worker_.stopping) return close_gracefully();
    wait_for_next_request();
  }

  void report_circuit_change(std::uint64_t route_number, const std::optional<CircuitTransition>& transition) {
    if (transition && worker_.settings.on_circuit_change) worker_.settings.on_circuit_change(route_number, *transition);
  }

  // A failure is a backend that could not be reached, timed out or answered
  // 5xx; a request that ended before any answer gives its trial place back.
  void settle_circuit(int status, Disposition disposition) {
    if (!request_.circuit) return;
    CircuitBreaker& circuit = *request_.entry->circuit;
    const CircuitAdmission admission = *request_.circuit;
    request_.circuit.reset();
    if (disposition == Disposition::backend_failure || (disposition == Disposition::proxied && status >= 500)) {
      report_circuit_change(request_.entry->route_number, circuit.record_failure(admission, coarse_steady_now()));
    } else if (disposition == Disposition::proxied && status > 0) {
      report_circuit_change(request_.entry->route_number,
                            circuit.record_success(admission, coarse_steady_now()));
    } else {
      circuit.record_abandoned(admission);
    }
  }

  // Counts the request on its route, once; the snapshot is let go.
  void record(int status, Disposition disposition) {
    log_access(status);
    if (request_.entry == nullptr) return;
    settle_circuit(status, disposition);
    request_.entry->runtime->request_finished(
        worker_.index,
        RequestOutcome{disposition, status, request_.bytes_sent, request_.bytes_received, elapsed_since_start()});
    request_.entry = nullptr;
    request_.pool.reset();
    retry_body_.reset();
    tried_.clear();
  }

  // One access log line per request, at its end; never the query or a header.
  void log_access(int status) {
    if (!request_.access_pending) return;
    request_.access_pending = false;
    if (worker_.access_log == nullptr) return;
    std::string& backend = worker_.access_backend;
    backend.clear();
    if (request_.sent_to != nullptr) request_.sent_to->append_to(backend);
    std::string& line = worker_.access_line;
    line.clear();
    append_access_line(line, AccessEntry{std::chrono::system_clock::now(), peer_, request_.method, request_.original_host,
                                         request_.path,
                                         status, request_.bytes_sent, request_.bytes_received, elapsed_since_start(),
                                         request_.entry != nullptr ? std::string_view{request_.entry->route_id} : "-",
                                         backend});
    worker_.access_log->append(line);
  }

  std::chrono::microseconds elapsed_since_start() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(request_.answered.value_or(Clock::now()) -
                                                                 request_.started);
  }

  void wait_for_next_request() {
    // A pipelined request may already be buffered.
    if (buffer_.size() > 0) return read_request_header();
    waiting_for_request_ = true;
    deadline_.expires_after(worker_.settings.client_idle_timeout);
    // The answer has nearly always just been written inside this handler, so
    // the client cannot have sent its next request yet, and a read now would
    // come back empty: a system call for nothing (asio tries a read before it
    // waits). After a trip through the worker's queue, which polls for
    // readiness on its way, the request is often there.
    asio::post(client_.get_executor(), [self = shared_from_this()] { self->read_next_request(); });
  }

  void read_next_request() {
    if (deadline_.expired()) return close_now();
    client_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](error_code ec, std::size_t bytes) {
                              self->buffer_.commit(bytes);
                              if (ec) return self->close_now();
                              // The header timeout starts with the request's first byte.
                              self->read_request_header();
                            });
  }

  void close_gracefully() {
    error_code ec;
    client_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    deadline_.expires_after(kLingerTime);
    linger();
  }

  void linger() {
    buffer_.clear();
    client_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->close_now();
                              self->linger();
                            });
  }

  WorkerContext& worker_;
  WorkerSocket client_;
  beast::flat_buffer buffer_;
  std::string peer_;
  asio::ip::address peer_ip_;
  std::shared_ptr<const TrustedProxies> trusted_proxies_;
  bool peer_trusted_ = false;
  bool waiting_for_request_ = false;
  ConnectionDeadline deadline_;
  std::size_t header_bytes_ = 0;  // of the request header being read
  ClientRequest message_;  // the request being served, as the client sent it
  std::optional<RequestParser> parser_;
  InFlight request_;
  std::optional<Response> own_response_;
  // While retries are left: the request's body as the client sent it, and
  // the backends that could not be reached.
  std::optional<std::string> retry_body_;
  std::vector<const BackendEntry*> tried_;
  std::weak_ptr<UpstreamExchange> exchange_;
  std::weak_ptr<ByteTunnel> tunnel_;
  std::optional<tcp::socket> tunnel_client_;  // the client's socket once a tunnel carries it
};

}  // namespace

void serve_client_connection(WorkerContext& worker, WorkerSocket socket) {
  std::make_shared<HttpSession>(worker, std::move(socket))->start();
}

}  // namespace reg::proxy
