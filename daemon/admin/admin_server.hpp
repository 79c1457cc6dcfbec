#pragma once
// The admin HTTP listener (--admin): GET /healthz, and whatever other read-only
// pages the daemon registers (/metrics). Runs on the control io_context so its
// handlers may read control-plane state without locks; a large page is
// rendered on a thread of its own.
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

// Renders a page away from the control thread, from what it was given there.
using PageRenderer = std::function<AdminPage()>;

class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, HostPort address);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Registers GET `path`, rendered on the control thread; call before start().
  void add_page(std::string path, std::function<AdminPage()> render);
  // Registers GET `path` for a page too large to render on the control
  // thread: `prepare` runs there and takes what only that thread may read,
  // and the renderer it returns runs on the admin server's render thread, so
  // the control protocol is not held up meanwhile. Renders run one at a time.
  void add_page_rendered_apart(std::string path, std::function<PageRenderer()> prepare);
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
