#pragma once
// Idle keep-alive connections to backends, kept by one worker thread and
// keyed by backend host and port. Bounded per key; a connection idle longer
// than the idle timeout is closed, which should be shorter than the
// backends' own keep-alive timeouts so that regd closes first (DESIGN.md
// "Known traps": the stale keep-alive race). A connection is kept as its
// whole stream (a TLS one with its session state), so that reusing it costs
// no allocation; a plain stream, which cannot be move-assigned, by pointer.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <boost/beast/core/stream_traits.hpp>
#include <boost/system/error_code.hpp>

#include "common/value_parsers.hpp"
#include "daemon/proxy/worker_io.hpp"

namespace reg::proxy {

// An idle HTTP connection must have nothing to read: a pending EOF means the
// backend closed it, and bytes (a TLS close_notify too) mean it is out of
// step with us. Either way it is unusable. The peek never blocks.
bool idle_socket_usable(int descriptor);

template <class Socket>
void close_quietly(Socket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

// Whether a connection idle for less than kFreshIdle is checked too. The
// check is a system call per reuse; a caller that resends its request on a
// fresh connection when a reused one turns out dead (idempotent requests,
// as nginx and HAProxy do) can skip it for connections that were in use a
// moment ago, which is nearly every reuse under load.
enum class ReuseCheck { always, unless_fresh };
inline constexpr std::chrono::milliseconds kFreshIdle{5};

// Where a pooled connection goes. Looked up as a view: building a
// "host:port" text for every request cost more than the lookup.
struct UpstreamAddress {
  std::string_view host;
  std::uint16_t port = 0;
};

template <class Connection>
class BasicUpstreamPool {
 public:
  using Clock = std::chrono::steady_clock;

  BasicUpstreamPool(std::size_t max_idle_per_key, Milliseconds idle_timeout)
      : max_idle_per_key_(max_idle_per_key), idle_timeout_(idle_timeout) {}
  BasicUpstreamPool(const BasicUpstreamPool&) = delete;
  BasicUpstreamPool& operator=(const BasicUpstreamPool&) = delete;

  // The most recently used connection to `key` that is still open, or
  // nullopt. Closes the expired ones and those the backend has closed (or
  // sent unsolicited bytes on) while they sat idle; with ReuseCheck::unless_fresh,
  // a connection idle for less than kFreshIdle is handed out unchecked.
  std::optional<Connection> take(UpstreamAddress key, Clock::time_point now, ReuseCheck check = ReuseCheck::always) {
    const auto found = idle_.find(key);
    if (found == idle_.end()) return std::nullopt;
    std::vector<Idle>& connections = found->second;
    while (!connections.empty()) {
      Idle idle = std::move(connections.back());
      connections.pop_back();
      const bool trusted = check == ReuseCheck::unless_fresh && now - idle.since < kFreshIdle;
      if (!expired(idle, now) && (trusted || idle_socket_usable(socket_of(idle.connection).native_handle()))) {
        return std::move(idle.connection);
      }
      close_quietly(socket_of(idle.connection));
    }
    return std::nullopt;
  }

  // Keeps `connection` for reuse; when `key` already has the maximum, the
  // longest idle one is closed to make room.
  void give_back(UpstreamAddress key, Connection connection, Clock::time_point now) {
    if (max_idle_per_key_ == 0) {
      close_quietly(socket_of(connection));
      return;
    }
    auto found = idle_.find(key);
    if (found == idle_.end()) found = idle_.try_emplace(StoredAddress{std::string(key.host), key.port}).first;
    std::vector<Idle>& connections = found->second;
    if (connections.size() >= max_idle_per_key_) {
      close_quietly(socket_of(connections.front().connection));
      connections.erase(connections.begin());
    }
    connections.push_back(Idle{std::move(connection), now});
  }

  // Closes the connections idle since before now - idle timeout.
  void close_expired(Clock::time_point now) {
    for (auto it = idle_.begin(); it != idle_.end();) {
      std::vector<Idle>& connections = it->second;
      // Oldest first, so the expired ones are a prefix.
      const auto fresh = std::find_if(connections.begin(), connections.end(),
                                      [&](const Idle& idle) { return !expired(idle, now); });
      for (auto stale = connections.begin(); stale != fresh; ++stale) close_quietly(socket_of(stale->connection));
      connections.erase(connections.begin(), fresh);
      it = connections.empty() ? idle_.erase(it) : std::next(it);
    }
  }

  void close_all() {
    for (auto& [key, connections] : idle_) {
      for (Idle& idle : connections) close_quietly(socket_of(idle.connection));
    }
    idle_.clear();
  }

  std::size_t idle_count() const {
    std::size_t count = 0;
    for (const auto& [key, connections] : idle_) count += connections.size();
    return count;
  }

 private:
  struct Idle {
    Connection connection;
    Clock::time_point since;
  };

  struct StoredAddress {
    std::string host;
    std::uint16_t port = 0;
  };
  // Both hash and compare a stored key and a looked-up view alike.
  struct AddressHash {
    using is_transparent = void;
    std::size_t operator()(UpstreamAddress address) const {
      return std::hash<std::string_view>{}(address.host) * 31 + address.port;
    }
    std::size_t operator()(const StoredAddress& address) const { return (*this)(view(address)); }
  };
  struct AddressEqual {
    using is_transparent = void;
    template <class Left, class Right>
    bool operator()(const Left& left, const Right& right) const {
      const UpstreamAddress a = view(left), b = view(right);
      return a.port == b.port && a.host == b.host;
    }
  };
  static UpstreamAddress view(UpstreamAddress address) { return address; }
  static UpstreamAddress view(const StoredAddress& address) { return {address.host, address.port}; }

  // A TLS connection is closed without close_notify: an idle backend
  // connection has no request in flight that would need it.
  static auto& socket_of(Connection& connection) {
    if constexpr (std::is_same_v<Connection, std::unique_ptr<WorkerStream>>) {
      return connection->socket();
    } else {
      return boost::beast::get_lowest_layer(connection).socket();
    }
  }

  bool expired(const Idle& idle, Clock::time_point now) const { return now - idle.since >= idle_timeout_; }

  std::size_t max_idle_per_key_;
  Milliseconds idle_timeout_;
  // Per key, oldest first.
  std::unordered_map<StoredAddress, std::vector<Idle>, AddressHash, AddressEqual> idle_;
};

using UpstreamPool = BasicUpstreamPool<std::unique_ptr<WorkerStream>>;

}  // namespace reg::proxy
