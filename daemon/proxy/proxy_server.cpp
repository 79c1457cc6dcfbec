#include "daemon/proxy/proxy_server.hpp"

#include <chrono>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/log.hpp"
#include "daemon/proxy/access_log.hpp"
#include "daemon/net/listen_socket.hpp"
#include "daemon/proxy/http_session.hpp"
#include "daemon/proxy/worker_context.hpp"

namespace reg::proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// How often idle upstream connections past their timeout are closed.
constexpr auto kHousekeepingInterval = std::chrono::seconds(1);
// Out of file descriptors: accepting again at once would only spin.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// After the grace period, how long closed connections get to wind down
// before the workers are stopped regardless.
constexpr auto kForcedCloseWait = std::chrono::milliseconds(500);
constexpr auto kStopPollInterval = std::chrono::milliseconds(10);

// One proxy thread: its io_context, listener, connections and upstream pool.
class Worker {
 public:
  // Sockets and timers are used by the worker's own thread only (other
  // threads merely post), so per-descriptor locking is switched off.
  Worker(unsigned index, const ProxySettings& settings, RouteTablePublisher& routes, AccessLogBuffer* access_log)
      : io_(std::make_unique<asio::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO)),
        context_(index, settings, routes, *io_, access_log),
        acceptor_(std::in_place, *io_),
        accept_backoff_(std::in_place, *io_),
        housekeeping_(std::in_place, *io_) {}

  ~Worker() {
    // The io objects go before the io_context, and the io_context (whose
    // pending handlers own the connections) before the context that the
    // connections deregister from.
    acceptor_.reset();
    accept_backoff_.reset();
    housekeeping_.reset();
    context_.upstream.close_all();
    context_.tls_upstream.close_all();
    io_.reset();
  }

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Every worker listens on the same port; the kernel spreads connections.
  Status listen(const HostPort& address) { return net::open_listener(*acceptor_, address, true); }

  std::uint16_t port() const {
    error_code ec;
    return acceptor_->local_endpoint(ec).port();
  }

  void run() {
    accept();
    schedule_housekeeping();
    thread_ = std::thread([this] {
      for (;;) {
        try {
          io_->run();
          return;
        } catch (const std::exception& failure) {
          // The request path throws only from inside Beast: on allocation
          // failure, or for a single header field over its 64 KiB limit
          // when max_header_bytes lets one in. That request is lost; the
          // worker serves on.
          log::error("proxy worker caught an exception",
                     {{"worker", std::to_string(context_.index)}, {"error", failure.what()}});
        }
      }
    });
  }

  // After run(); false when the kernel refused.
  bool pin_to(unsigned cpu) {
    Status pinned = pin_thread(thread_, cpu);
    if (!pinned)
      log::warn("proxy worker left unpinned", {{"worker", std::to_string(context_.index)}, {"error", pinned.error()}});
    return static_cast<bool>(pinned);
  }

  // From another thread: stop accepting and close idle connections; the
  // ones with a request in flight close after answering it.
  void begin_shutdown() {
    asio::post(*io_, [this] {
      context_.stopping = true;
      error_code ignored;
      acceptor_->close(ignored);
      accept_backoff_->cancel();
      housekeeping_->cancel();
      context_.upstream.close_all();
      context_.tls_upstream.close_all();
      for (ClientConnection* connection : connections_snapshot()) connection->finish_and_close();
    });
  }

  // From another thread: the grace period is over.
  void close_connections() {
    asio::post(*io_, [this] {
      for (ClientConnection* connection : connections_snapshot()) connection->close_now();
    });
  }

  std::size_t connection_count() const {
    return context_.connection_count.load(std::memory_order_relaxed);
  }

  void join() {
    io_->stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  // Closing a connection may end it, and so change the set.
  std::vector<ClientConnection*> connections_snapshot() const {
    return {context_.connections.begin(), context_.connections.end()};
  }

  void accept() {
    // Accepted into the io_context directly, so the socket gets its concrete executor.
    acceptor_->async_accept(*io_, [this](error_code ec, WorkerSocket socket) {
      if (ec == asio::error::operation_aborted || context_.stopping) return;
      if (!ec) {
        serve_client_connection(context_, std::move(socket));
        return accept();
      }
      if (ec == asio::error::connection_aborted) return accept();
      log::warn("proxy cannot accept", {{"worker", std::to_string(context_.index)}, {"error", ec.message()}});
      retry_accept_later();
    });
  }

  void retry_accept_later() {
    accept_backoff_->expires_after(kAcceptBackoff);
    accept_backoff_->async_wait([this](error_code ec) {
      if (ec || context_.stopping) return;
      accept();
    });
  }

  void schedule_housekeeping() {
    housekeeping_->expires_after(kHousekeepingInterval);
    housekeeping_->async_wait([this](error_code ec) {
      if (ec || context_.stopping) return;
      context_.upstream.close_expired(std::chrono::steady_clock::now());
      context_.tls_upstream.close_expired(std::chrono::steady_clock::now());
      schedule_housekeeping();
    });
  }

  std::unique_ptr<asio::io_context> io_;
  WorkerContext context_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> accept_backoff_;
  std::optional<asio::steady_timer> housekeeping_;
  std::thread thread_;
};

// SO_REUSEPORT would let the workers join the listeners of another process
// of the same user (a second regd) and silently share its traffic. A
// listener without it fails on any listener already there.
Status port_is_free(const HostPort& address) {
  if (address.port == 0) return success();
  asio::io_context probing;
  tcp::acceptor probe(probing);
  return net::open_listener(probe, address, false);
}

}  // namespace

class ProxyServer::Impl {
 public:
  Impl(ProxySettings settings, RouteTablePublisher& routes)
      : settings_(std::move(settings)), routes_(routes) {
    if (settings_.workers == 0) settings_.workers = 1;
  }

  ~Impl() { stop(Milliseconds{0}); }

  Status start() {
    if (running_) return success();
    if (Status free = port_is_free(settings_.listen); !free) return free;

    std::unique_ptr<AccessLog> access_log;
    if (!settings_.access_log.empty()) {
      auto opened = AccessLog::open(settings_.access_log, settings_.workers);
      if (!opened) return Error{opened.error()};
      access_log = std::move(*opened);
    }

    HostPort address = settings_.listen;
    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned index = 0; index < settings_.workers; ++index) {
      auto worker = std::make_unique<Worker>(index, settings_, routes_,
                                             access_log ? &access_log->buffer(index) : nullptr);
      if (Status listening = worker->listen(address); !listening) return listening;
      // With port 0 the first listener picks the port and the others join it.
      address.port = worker->port();
      workers.push_back(std::move(worker));
    }
    port_ = address.port;
    access_log_ = std::move(access_log);
    workers_ = std::move(workers);
    for (auto& worker : workers_) worker->run();
    // Pinned before start() returns, so the ready line tells the truth.
    worker_cpus_ = choose_worker_cpus(settings_.workers, settings_.worker_affinity, allowed_cpus());
    bool all_pinned = true;
    for (std::size_t index = 0; index < worker_cpus_.size(); ++index)
      all_pinned = workers_[index]->pin_to(worker_cpus_[index]) && all_pinned;
    // The ready line names CPUs only when every worker got its own; the
    // warning names a worker the kernel left unpinned.
    if (!all_pinned) worker_cpus_.clear();
    running_ = true;
    return success();
  }

  void begin_shutdown() {
    if (!running_ || shutting_down_) return;
    shutting_down_ = true;
    for (auto& worker : workers_) worker->begin_shutdown();
  }

  std::size_t open_connections() const {
    std::size_t open = 0;
    for (const auto& worker : workers_) open += worker->connection_count();
    return open;
  }

  void stop(Milliseconds grace) {
    if (!running_) return;
    begin_shutdown();
    running_ = false;
    wait_for_connections_until(std::chrono::steady_clock::now() + grace);
    for (auto& worker : workers_) worker->close_connections();
    wait_for_connections_until(std::chrono::steady_clock::now() + kForcedCloseWait);
    for (auto& worker : workers_) worker->join();
    // Connections torn down with their worker still log; then the last flush.
    workers_.clear();
    access_log_.reset();
  }

  // Workers read settings_ by reference, so publishing here reaches them.
  void set_trusted_proxies(TrustedProxies proxies) { settings_.trusted_proxies.publish(std::move(proxies)); }
  void reopen_access_log() {
    if (access_log_) access_log_->reopen();
  }
  unsigned worker_count() const { return settings_.workers; }
  const std::vector<unsigned>& worker_cpus() const { return worker_cpus_; }
  std::uint16_t bound_port() const { return port_; }

 private:
  void wait_for_connections_until(std::chrono::steady_clock::time_point deadline) const {
    while (std::chrono::steady_clock::now() < deadline) {
      if (open_connections() == 0) return;
      std::this_thread::sleep_for(kStopPollInterval);
    }
  }

  ProxySettings settings_;
  RouteTablePublisher& routes_;
  std::unique_ptr<AccessLog> access_log_;  // before the workers, which append to it
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<unsigned> worker_cpus_;
  std::uint16_t port_ = 0;
  bool running_ = false;
  bool shutting_down_ = false;
};

ProxyServer::ProxyServer(ProxySettings settings, RouteTablePublisher& routes)
    : impl_(std::make_unique<Impl>(std::move(settings), routes)) {}

ProxyServer::~ProxyServer() = default;

Status ProxyServer::start() { return impl_->start(); }
void ProxyServer::begin_shutdown() { impl_->begin_shutdown(); }
std::size_t ProxyServer::open_connections() const { return impl_->open_connections(); }
void ProxyServer::stop(Milliseconds grace) { impl_->stop(grace); }
void ProxyServer::set_trusted_proxies(TrustedProxies proxies) { impl_->set_trusted_proxies(std::move(proxies)); }
void ProxyServer::reopen_access_log() { impl_->reopen_access_log(); }
unsigned ProxyServer::worker_count() const { return impl_->worker_count(); }
const std::vector<unsigned>& ProxyServer::worker_cpus() const { return impl_->worker_cpus(); }
std::uint16_t ProxyServer::bound_port() const { return impl_->bound_port(); }

}  // namespace reg::proxy
