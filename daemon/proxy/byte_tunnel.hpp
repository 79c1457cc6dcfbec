#pragma once
// Copies bytes both ways between a client and a backend after a protocol
// switch (a websocket's 101), until both sides have closed or the pair has
// been quiet for the idle timeout. A half close is passed on, so either side
// can finish sending first. The backend side is plain TCP (http, ws) or TLS
// (https, wss); the choice is made once, when the tunnel is made.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "common/value_parsers.hpp"
#include "daemon/proxy/tls_upstream.hpp"

namespace reg::proxy {

struct TunnelTotals {
  std::uint64_t to_client = 0;
  std::uint64_t from_client = 0;
};

class ByteTunnel {
 public:
  virtual ~ByteTunnel() = default;
  // `to_upstream` and `to_client` are bytes already read from the other side
  // (read ahead behind the handshake); they go first. `done` runs once, on
  // the sockets' executor, after both directions have stopped.
  virtual void start(std::string to_upstream, std::string to_client) = 0;
  virtual void close() = 0;
};

// `client` belongs to the caller and must outlive the tunnel's `done`. A TLS
// `upstream` has completed its handshake and is not used by anyone else.
std::shared_ptr<ByteTunnel> make_byte_tunnel(boost::asio::ip::tcp::socket& client,
                                             boost::asio::ip::tcp::socket upstream, Milliseconds idle_timeout,
                                             std::function<void(TunnelTotals)> done);
std::shared_ptr<ByteTunnel> make_byte_tunnel(boost::asio::ip::tcp::socket& client, TlsUpstream upstream,
                                             Milliseconds idle_timeout, std::function<void(TunnelTotals)> done);

}  // namespace reg::proxy
