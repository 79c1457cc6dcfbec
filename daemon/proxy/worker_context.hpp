#pragma once
// What the connections of one proxy worker thread share. Only that thread
// touches it (connection_count excepted), so nothing in here takes a lock.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include <boost/asio/io_context.hpp>

#include "daemon/proxy/access_log.hpp"
#include "daemon/proxy/load_balancer.hpp"
#include "daemon/proxy/pool_hold.hpp"
#include "daemon/proxy/proxy_server.hpp"
#include "daemon/proxy/relay_buffers.hpp"
#include "daemon/proxy/route_table_publisher.hpp"
#include "daemon/proxy/tls_upstream.hpp"
#include "daemon/proxy/upstream_pool.hpp"
#include "daemon/proxy/worker_io.hpp"

namespace reg::proxy {

// What a worker may ask of a live client connection when the proxy stops.
class ClientConnection {
 public:
  virtual ~ClientConnection() = default;
  // Finish the request in flight, if any, then close; close now when idle.
  virtual void finish_and_close() = 0;
  virtual void close_now() = 0;
};

class WorkerContext {
 public:
  WorkerContext(unsigned index, const ProxySettings& settings, RouteTablePublisher& publisher,
                boost::asio::io_context& io, AccessLogBuffer* access_log = nullptr)
      : index(index),
        settings(settings),
        io(io),
        upstream(settings.max_idle_upstream_per_host, settings.upstream_idle_timeout),
        tls_upstream(settings.max_idle_upstream_per_host, settings.upstream_idle_timeout),
        access_log(access_log),
        publisher_(publisher) {}

  WorkerContext(const WorkerContext&) = delete;
  WorkerContext& operator=(const WorkerContext&) = delete;
  ~WorkerContext() {
    if (snapshot_ != nullptr) snapshot_->retire();
  }

  // The newest routing snapshot. Costs one atomic load unless a new one was
  // published since the last call.
  const RouteTable& routes() {
    const std::uint64_t version = publisher_.version();
    if (version != version_ || snapshot_ == nullptr) {
      if (snapshot_ != nullptr) snapshot_->retire();
      snapshot_ = new WorkerSnapshot{publisher_.current()};
      version_ = version;
      balancer.forget_pools();
    }
    return *snapshot_->table;
  }

  // `pool`, of the table routes() returned last, kept alive for a request.
  PoolHold hold(const Pool& pool) { return PoolHold(*snapshot_, pool); }

  const unsigned index;  // the worker number RouteRuntime counts under
  const ProxySettings& settings;
  boost::asio::io_context& io;
  UpstreamPool upstream;  // http and ws backends
  BasicUpstreamPool<TlsUpstream> tls_upstream;  // https and wss backends
  LoadBalancer balancer;
  RelayBuffers relay_buffers;
  std::unordered_set<ClientConnection*> connections;
  // Read by ProxyServer::stop() from another thread.
  std::atomic<std::size_t> connection_count{0};
  bool stopping = false;
  AccessLogBuffer* const access_log;  // null without --access-log
  // Reused for every access log line and the backend named in it.
  std::string access_line;
  std::string access_backend;

 private:
  RouteTablePublisher& publisher_;
  std::uint64_t version_ = 0;
  WorkerSnapshot* snapshot_ = nullptr;  // the current one; requests may hold older ones
};

}  // namespace reg::proxy
