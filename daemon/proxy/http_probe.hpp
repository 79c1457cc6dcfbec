#pragma once
// One asynchronous GET to a backend, used by BACKEND_TEST, maintenance
// verification and health checks. Runs on the caller's io_context and never
// blocks it.
#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/value_parsers.hpp"

namespace reg::proxy {

struct ProbeResult {
  bool reachable = false;  // any HTTP answer, 5xx included
  int status_code = 0;
  Milliseconds response_time{0};
  bool tls_valid = false;  // https/wss: handshake and certificate verification passed
  std::string error;       // when not reachable: "connection refused", "timeout", "tls: …"
};

// GETs backend base path + `path` (path "" means the base path itself) with
// a Host header of the backend host. `done` runs on `io` exactly once.
void async_probe(boost::asio::io_context& io, const BackendUrl& backend, std::string path,
                 Milliseconds timeout, std::function<void(ProbeResult)> done);

}  // namespace reg::proxy
