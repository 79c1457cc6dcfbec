#include "daemon/proxy/upstream_exchange.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string_view>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "daemon/net/peer_closed.hpp"
#include "daemon/proxy/coarse_clock.hpp"
#include "daemon/proxy/connection_deadline.hpp"
#include "daemon/proxy/eager_write.hpp"
#include "daemon/proxy/header_reading.hpp"
#include "daemon/proxy/idempotent_method.hpp"
#include "daemon/proxy/message_head.hpp"
#include "daemon/proxy/tls_client_context.hpp"
#include "daemon/proxy/worker_context.hpp"

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::chrono::seconds kCheckClientAfter{1};

// The ways a backend closes a kept-alive connection under our feet.
bool is_dead_connection(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

class UpstreamExchange : public std::enable_shared_from_this<UpstreamExchange> {
 public:
  UpstreamExchange(WorkerContext& worker, WorkerSocket& client, ConnectionDeadline& deadline,
                   http::verb method, std::string request_body, std::unique_ptr<RelayBuffer> buffers,
                   ExchangePlan plan, std::shared_ptr<ExchangeListener> listener)
      : worker_(worker),
        client_(client),
        deadline_(deadline),
        method_(method),
        request_body_(std::move(request_body)),
        plan_(plan),
        listener_(std::move(listener)),
        buffers_(std::move(buffers)) {}

  ~UpstreamExchange() { worker_.relay_buffers.give_back(std::move(buffers_)); }

  void start() {
    if (!plan_.upgrade && take_pooled_connection()) {
      reused_ = true;
      return send_request();
    }
    connect();
  }

  void abort() {
    aborted_ = true;
    if (connected()) close_transport();
    if (resolver_) resolver_->cancel();
  }

  void interrupt() {
    if (connected()) close_transport();
  }

 private:
  using Outcome = ExchangeResult::Outcome;

  bool take_pooled_connection() {
    const auto now = coarse_steady_now();
    // fail_before_answer() resends these on a fresh connection.
    const auto check = is_idempotent(method_) ? ReuseCheck::unless_fresh : ReuseCheck::always;
    if (plan_.backend->tls()) {
      auto pooled = worker_.tls_upstream.take(upstream_address(), now, check);
      if (pooled) tls_.emplace(std::move(*pooled));
      return pooled.has_value();
    }
    auto pooled = worker_.upstream.take(upstream_address(), now, check);
    if (pooled) upstream_ = std::move(*pooled);
    return pooled.has_value();
  }

  bool connected() const { return upstream_ || tls_; }
  UpstreamAddress upstream_address() const { return {plan_.backend->host, plan_.backend->port}; }

  // The TCP layer, for closing; under TLS when there is TLS.
  // (A TLS connection's TCP stream has the type the tunnel takes; a plain
  // one has the worker's executor.)
  template <class Operation>
  void with_transport(Operation&& operation) {
    if (tls_) {
      operation(beast::get_lowest_layer(*tls_));
    } else {
      operation(*upstream_);
    }
  }
  void close_transport() {
    with_transport([](auto& transport) { transport.close(); });
  }
  // A step that failed because its deadline passed and interrupt() closed the connection.
  bool timed_out(const error_code& ec) const { return ec && deadline_.expired(); }

  // Runs `operation` on the stream that carries HTTP: TLS or plain. A plain
  // connection's I/O goes to its socket directly: the stream's own layer of
  // each operation is only there for its timeouts, which the deadline keeps.
  template <class Operation>
  void with_stream(Operation&& operation) {
    if (tls_) {
      operation(*tls_);
    } else {
      operation(upstream_->socket());
    }
  }

  void connect() {
    reused_ = false;
    // Name resolution has no time limit of its own.
    deadline_.expires_never();
    tls_.reset();
    upstream_ = std::make_unique<WorkerStream>(worker_.io.get_executor());
    error_code not_an_address;
    const auto address = asio::ip::make_address(plan_.backend->host, not_an_address);
    if (!not_an_address) {
      return connect_to({tcp::endpoint(address, plan_.backend->port)});
    }
    resolver_.emplace(worker_.io.get_executor());
    resolver_->async_resolve(plan_.backend->host, std::to_string(plan_.backend->port),
                             beast::bind_front_handler(&UpstreamExchange::on_resolved, shared_from_this()));
  }

  void on_resolved(error_code ec, const WorkerResolver::results_type& results) {
    if (ec || aborted_) {
      return fail(Outcome::connect_failed, "cannot resolve " + plan_.backend->host + ": " + ec.message());
    }
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    connect_to(std::move(endpoints));
  }

  void connect_to(std::vector<tcp::endpoint> endpoints) {
    deadline_.expires_after(plan_.connect_timeout);
    upstream_->async_connect(endpoints, beast::bind_front_handler(&UpstreamExchange::on_connected,
                                                                  shared_from_this()));
  }

  void on_connected(error_code ec, const tcp::endpoint&) {
    if (timed_out(ec)) return fail(Outcome::connect_timed_out, "connecting to the backend timed out");
    if (ec) return fail(Outcome::connect_failed, "cannot connect to the backend: " + ec.message());
    upstream_->socket().set_option(tcp::no_delay(true), ec);
    if (plan_.backend->tls()) return start_tls();
    // For write_eagerly, which must never wait on the worker's thread (a
    // TLS connection writes through its stream).
    upstream_->socket().non_blocking(true, ec);
    if (ec) return fail(Outcome::connect_failed, "cannot use the backend connection: " + ec.message());
    send_request();
  }

  // Verifies the backend's certificate against its host name (or address)
  // within the connect timeout; a failure is a failure to connect, so the
  // request was not sent and may be retried elsewhere.
  void start_tls() {
    // The connection keeps its own reference to the context's OpenSSL state.
    tls_.emplace(beast::tcp_stream(upstream_->release_socket()), *shared_tls_client_context());
    upstream_.reset();
    expect_server_name(tls_->native_handle(), plan_.backend->host);
    deadline_.expires_after(plan_.connect_timeout);
    tls_->async_handshake(asio::ssl::stream_base::client,
                          beast::bind_front_handler(&UpstreamExchange::on_tls_established, shared_from_this()));
  }

  void on_tls_established(error_code ec) {
    if (timed_out(ec)) return fail(Outcome::connect_timed_out, "the TLS handshake timed out");
    if (ec) return fail(Outcome::connect_failed, "tls: " + describe_tls_failure(tls_->native_handle(), ec));
    send_request();
  }

  void send_request() {
    start_answer();
    buffers_->from_backend.clear();
    deadline_.expires_after(plan_.response_timeout);
    const std::array<asio::const_buffer, 2> head_and_body{asio::buffer(buffers_->request_head),
                                                         asio::buffer(request_body_)};
    auto sent = beast::bind_front_handler(&UpstreamExchange::on_request_sent, shared_from_this());
    if (tls_) return asio::async_write(*tls_, head_and_body, std::move(sent));
    write_eagerly(upstream_->socket(), head_and_body, std::move(sent));
  }

  // A fresh parser for the next answer on the connection.
  void start_answer() {
    parser_.emplace(buffers_->answer, worker_.settings.max_header_bytes, method_ == http::verb::head);
  }

  void on_request_sent(error_code ec, std::size_t) {
    if (ec) return fail_before_answer(ec);
    // The request has nearly always just been written inside send_request,
    // so the backend cannot have answered yet, and a read now would come back
    // empty (asio tries one before it waits). After a trip through the
    // worker's queue, which polls for readiness on its way, the answer is
    // often there.
    asio::post(worker_.io.get_executor(),
               beast::bind_front_handler(&UpstreamExchange::read_answer_header, shared_from_this()));
  }

  void read_answer_header() {
    error_code ec;
    feed_header(*parser_, buffers_->from_backend, ec);
    if (ec) return fail_before_answer(ec);
    if (parser_->is_header_done()) return on_answer_header({}, 0);
    with_stream([this](auto& stream) {
      stream.async_read_some(buffers_->from_backend.prepare(RelayBuffers::kBytes),
                             beast::bind_front_handler(&UpstreamExchange::on_answer_read, shared_from_this()));
    });
  }

  void on_answer_read(error_code ec, std::size_t bytes) {
    buffers_->from_backend.commit(bytes);
    ec = header_read_outcome(*parser_, ec);
    if (ec) return fail_before_answer(ec);
    read_answer_header();
  }

  void on_answer_header(error_code ec, std::size_t) {
    if (ec) return fail_before_answer(ec);
    const int status = parser_->head().status();
    if (status == 101) {
      if (plan_.upgrade) return relay_switching_protocols();
      return fail(Outcome::bad_answer, "the backend switched protocols unasked");
    }
    if (status >= 100 && status < 200) {
      // Interim answers (100 Continue, 103 Early Hints) are not relayed: the
      // client's body was sent whole, and hints are optional.
      start_answer();
      return read_answer_header();
    }
    if (client_gave_up(client_, plan_.client_waiting_since)) {
      return fail(Outcome::client_gone, "the client closed its connection before the answer came");
    }
    relay_header();
  }

  void fail_before_answer(const error_code& ec) {
    const bool nothing_received = !parser_->got_some() && buffers_->from_backend.size() == 0;
    if (reused_ && !retried_ && !aborted_ && nothing_received && is_dead_connection(ec) &&
        is_idempotent(method_)) {
      retried_ = true;
      close_transport();
      return connect();
    }
    if (timed_out(ec)) return fail(Outcome::timed_out, "the backend did not answer in time");
    fail(Outcome::bad_answer, "the backend sent no valid answer: " + ec.message());
  }

  // The answer's framing towards the client is chosen here, not copied:
  // Transfer-Encoding is hop-by-hop, and an HTTP/1.0 client cannot read chunks.
  void relay_header() {
    // A body whose end the backend marks with chunks or by closing. (A HEAD
    // answer or a 204 may carry chunked headers but has no body to frame.)
    const bool reframe = !parser_->is_done() && !parser_->framed_by_length();
    RelayedHeadChanges changes;
    changes.route_headers = plan_.response_headers;
    changes.maintenance_mark = plan_.mark_maintenance;
    bool keep_alive = plan_.client_keep_alive;
    if (reframe) {
      if (plan_.client_version >= 11) {
        changes.chunked = true;
      } else {
        keep_alive = false;
      }
    }
    // HTTP/1.1 keeps the connection unless told; an HTTP/1.0 client is told it is kept.
    if (!keep_alive) {
      changes.connection = "close";
    } else if (plan_.client_version == 10) {
      changes.connection = "keep-alive";
    }

    result_.status = parser_->head().status();
    result_.keep_alive = keep_alive;
    chunked_out_ = changes.chunked;
    buffers_->head.clear();
    append_relayed_answer_head(buffers_->head, parser_->head(), changes);
    head_pending_ = true;
    // When the body (or its first part) came with the header, header and
    // body leave in one write. Otherwise the header goes at once: a client
    // of a slow or streaming answer should not wait for the first body byte.
    if (parser_->is_done() || buffers_->from_backend.size() > 0) return relay_body();
    write_to_client(0);
  }

  void relay_switching_protocols() {
    RelayedHeadChanges changes;
    changes.route_headers = plan_.response_headers;
    changes.upgrade = parser_->head()[http::field::upgrade];
    changes.connection = "upgrade";
    result_.status = 101;
    buffers_->head.clear();
    append_relayed_answer_head(buffers_->head, parser_->head(), changes);
    deadline_.expires_after(plan_.client_write_timeout);
    asio::async_write(client_, asio::buffer(buffers_->head),
                      beast::bind_front_handler(&UpstreamExchange::on_switched, shared_from_this()));
  }

  void on_switched(error_code ec, std::size_t bytes) {
    result_.bytes_sent += bytes;
    if (ec) return fail_relay();
    deadline_.expires_never();
    const auto pending = buffers_->from_backend.data();
    result_.upstream_leftover.assign(asio::buffers_begin(pending), asio::buffers_end(pending));
    if (tls_) {
      result_.tls_upstream.emplace(std::move(*tls_));
      tls_.reset();
    } else {
      // The tunnel takes plain sockets.
      result_.upstream.emplace(upstream_->release_socket());
    }
    finish(Outcome::upgraded);
  }

  // Parses what the backend sent so far into the relay buffer, and relays it; reads
  // more when nothing of the body was buffered.
  void relay_body() {
    parser_->set_body_buffer(buffers_->body.get(), RelayBuffers::kBytes);
    error_code ec;
    parse_buffered(ec);
    if (ec) return fail_relay();
    // A read may parse chunk framing only. An empty piece must not reach
    // the client: with chunked framing it would read as the end of the body.
    const std::size_t filled = RelayBuffers::kBytes - parser_->body_space_left();
    if (filled > 0 || parser_->is_done()) return write_to_client(filled);
    deadline_.expires_after(plan_.response_timeout);
    with_stream([this](auto& stream) {
      stream.async_read_some(buffers_->from_backend.prepare(RelayBuffers::kBytes),
                             beast::bind_front_handler(&UpstreamExchange::on_body_read, shared_from_this()));
    });
  }

  // Moves the buffered answer through the parser into the relay buffer, as far as
  // both go.
  void parse_buffered(error_code& ec) {
    while (!parser_->is_done() && buffers_->from_backend.size() > 0) {
      const std::size_t used = parser_->put(buffers_->from_backend.data(), ec);
      buffers_->from_backend.consume(used);
      if (ec == http::error::need_more || ec == http::error::need_buffer) {
        ec = {};
        return;
      }
      if (ec || used == 0) return;
    }
  }

  void on_body_read(error_code ec, std::size_t bytes) {
    buffers_->from_backend.commit(bytes);
    // The end of a body framed by closing; anywhere else a cut-off answer.
    if (ec == asio::error::eof) parser_->put_eof(ec);
    if (ec) return fail_relay();
    relay_body();
  }

  // Sends what is pending of the head, `filled` bytes of the relay buffer in the
  // client's framing, and the end of the body once the parser is done.
  void write_to_client(std::size_t filled) {
    static constexpr std::string_view kChunkEnd = "\r\n";
    static constexpr std::string_view kChunkEndAndLast = "\r\n0\r\n\r\n";
    static constexpr std::string_view kLastChunk = "0\r\n\r\n";
    last_piece_ = parser_->is_done();
    if (!head_pending_) buffers_->head.clear();
    head_pending_ = false;
    std::string_view tail;
    if (chunked_out_) {
      if (filled > 0) append_chunk_size(buffers_->head, filled);
      tail = filled == 0 ? (last_piece_ ? kLastChunk : std::string_view{})
                         : (last_piece_ ? kChunkEndAndLast : kChunkEnd);
    }
    const std::array<asio::const_buffer, 3> pieces{asio::buffer(buffers_->head), asio::buffer(buffers_->body.get(), filled),
                                                   asio::buffer(tail.data(), tail.size())};
    deadline_.expires_after(plan_.client_write_timeout);
    write_eagerly(client_, pieces, beast::bind_front_handler(&UpstreamExchange::on_client_written, shared_from_this()));
  }

  void on_client_written(error_code ec, std::size_t bytes) {
    result_.bytes_sent += bytes;
    if (ec) return fail_relay();
    if (last_piece_) return complete();
    relay_body();
  }

  void complete() {
    deadline_.expires_never();
    const bool reusable = parser_->keep_alive() && buffers_->from_backend.size() == 0 && !worker_.stopping;
    if (reusable) {
      const auto now = coarse_steady_now();
      if (tls_) {
        worker_.tls_upstream.give_back(upstream_address(), std::move(*tls_), now);
        tls_.reset();
      } else {
        worker_.upstream.give_back(upstream_address(), std::move(upstream_), now);
      }
    }
    finish(Outcome::relayed);
  }

  void fail_relay() {
    close_transport();
    finish(Outcome::relay_failed);
  }

  void fail(Outcome outcome, std::string detail) {
    if (connected()) close_transport();
    result_.detail = std::move(detail);
    finish(outcome);
  }

  void finish(Outcome outcome) {
    result_.outcome = aborted_ ? Outcome::aborted : outcome;
    const auto listener = std::move(listener_);
    listener->on_exchange_done(std::move(result_));
  }

  WorkerContext& worker_;
  WorkerSocket& client_;
  ConnectionDeadline& deadline_;
  const http::verb method_;  // the request's
  std::string request_body_;
  const ExchangePlan plan_;
  std::shared_ptr<ExchangeListener> listener_;
  std::optional<WorkerResolver> resolver_;
  // Until connected or taken from a pool, a backend connection is plain
  // TCP in upstream_; an https/wss one then moves into tls_.
  std::unique_ptr<WorkerStream> upstream_;
  std::optional<TlsUpstream> tls_;
  bool reused_ = false;
  bool retried_ = false;
  bool aborted_ = false;
  std::optional<AnswerParser> parser_;
  bool head_pending_ = false;  // buffers_->head holds the answer's head, not sent yet
  bool chunked_out_ = false;   // the client gets the body in chunks
  bool last_piece_ = false;    // the write in progress ends the answer
  std::unique_ptr<RelayBuffer> buffers_;
  ExchangeResult result_;
};

std::weak_ptr<UpstreamExchange> exchange_with_backend(WorkerContext& worker, WorkerSocket& client,
                                                      ConnectionDeadline& deadline,
                                                      http::verb method, std::string request_body,
                                                      std::unique_ptr<RelayBuffer> buffers, ExchangePlan plan,
                                                      std::shared_ptr<ExchangeListener> listener) {
  auto exchange = std::make_shared<UpstreamExchange>(worker, client, deadline, method, std::move(request_body),
                                                     std::move(buffers), plan, std::move(listener));
  exchange->start();
  return exchange;
}

void abort_exchange(const std::weak_ptr<UpstreamExchange>& exchange) {
  if (auto live = exchange.lock()) live->abort();
}

void interrupt_exchange(const std::weak_ptr<UpstreamExchange>& exchange) {
  if (auto live = exchange.lock()) live->interrupt();
}

bool client_gave_up(WorkerSocket& client, std::chrono::steady_clock::time_point waiting_since) {
  return coarse_steady_now() - waiting_since >= kCheckClientAfter && net::peer_has_closed(client.native_handle());
}

}  // namespace reg::proxy
