#pragma once
// The admin HTTP listener (--admin): GET /healthz, and whatever other read-only
// pages the daemon registers (/metrics). Runs on the control io_context so its
// handlers may read control-plane state without locks.
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/result.hpp"
#include "common/value_parsers.hpp"

namespace reg::admin {

struct AdminPage {
  std::string content_type;
  std::string body;
  unsigned status = 200;
};

class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, HostPort address);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Registers GET `path`; call before start().
  void add_page(std::string path, std::function<AdminPage()> render);
  Status start();  // binds; the error names the address and the reason
  // Shutdown has begun: /healthz answers 503 from now on, so load balancers
  // stop sending traffic while requests in flight drain.
  void begin_shutdown();
  void stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace reg::admin
