#pragma once
// The HTTP/1.1 reverse proxy: one io_context and one SO_REUSEPORT listener per
// worker thread, each with its own upstream keep-alive pools, so the request
// path shares nothing between workers (DESIGN.md "Threads and memory").
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/value_parsers.hpp"
#include "daemon/proxy/circuit_breaker.hpp"
#include "daemon/proxy/route_table_publisher.hpp"
#include "daemon/proxy/shared_snapshot.hpp"
#include "daemon/proxy/trusted_proxies.hpp"
#include "daemon/proxy/worker_affinity.hpp"

namespace reg::proxy {

struct ProxySettings {
  HostPort listen{"0.0.0.0", 80};
  unsigned workers = 1;
  WorkerAffinity worker_affinity = WorkerAffinity::automatic;
  Milliseconds client_idle_timeout{60'000};    // keep-alive idle, client side
  Milliseconds client_header_timeout{10'000};  // slowloris guard
  // Below typical backends' keep-alive timeouts, so regd closes first.
  Milliseconds upstream_idle_timeout{4'000};
  std::uint32_t max_header_bytes = 64 * 1024;
  unsigned max_idle_upstream_per_host = 64;  // per worker
  // Peers whose X-Forwarded-For names the client the rate limiter counts;
  // SIGHUP may replace them while workers run.
  SharedSnapshot<TrustedProxies> trusted_proxies;
  // Called on a worker thread for every circuit state change (exactly once
  // per change); the receiver hands it to its own thread.
  std::function<void(std::uint64_t route_number, CircuitTransition)> on_circuit_change;
  // The access log's file, "-" for stderr, empty for none (access_log.hpp).
  std::string access_log;
};

class ProxyServer {
 public:
  ProxyServer(ProxySettings settings, RouteTablePublisher& routes);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Binds every worker's listener and starts the worker threads. The error
  // names the address and the reason ("cannot listen on 0.0.0.0:80: Permission denied").
  Status start();
  // Stops accepting and closes idle client connections; the ones with a
  // request in flight close after answering it. Returns at once.
  void begin_shutdown();
  // Client connections still open (requests in flight, tunnels).
  std::size_t open_connections() const;
  // Stops accepting, lets requests in flight finish for up to `grace`, then
  // closes everything and joins the workers.
  void stop(Milliseconds grace);

  // Connections accepted from now on use `proxies`.
  void set_trusted_proxies(TrustedProxies proxies);
  // SIGHUP: the access log file, if any, is opened again (logrotate).
  void reopen_access_log();

  unsigned worker_count() const;
  // The CPU each worker is pinned to, in worker order; empty when unpinned.
  const std::vector<unsigned>& worker_cpus() const;
  // The port actually bound (useful with port 0).
  std::uint16_t bound_port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reg::proxy
