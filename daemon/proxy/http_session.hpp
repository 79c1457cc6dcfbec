#pragma once
// One client connection of the proxy. Requests are read one at a time, so
// pipelined requests are answered in order; each is routed on the worker's
// current snapshot and answered by the proxy itself (404, 503, maintenance)
// or relayed from a backend.
#include "daemon/proxy/worker_io.hpp"

namespace reg::proxy {

class WorkerContext;

// Serves requests on `socket` until either side closes it. The connection
// lists itself in `worker.connections` for as long as it lives.
void serve_client_connection(WorkerContext& worker, WorkerSocket socket);

}  // namespace reg::proxy
