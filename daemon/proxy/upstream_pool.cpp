#include "daemon/proxy/upstream_pool.hpp"

#include <algorithm>
#include <array>

namespace reg::proxy {
namespace {

using boost::asio::ip::tcp;

// An idle HTTP connection must have nothing to read: a pending EOF means the
// backend closed it, and bytes mean it is out of step with us. Either way it
// is unusable. The peek never blocks.
bool still_usable(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return false;
  std::array<char, 1> probe;
  socket.receive(boost::asio::buffer(probe), tcp::socket::message_peek, ec);
  return ec == boost::asio::error::would_block;
}

void close_quietly(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

}  // namespace

UpstreamPool::UpstreamPool(std::size_t max_idle_per_key, Milliseconds idle_timeout)
    : max_idle_per_key_(max_idle_per_key), idle_timeout_(idle_timeout) {}

std::optional<tcp::socket> UpstreamPool::take(const std::string& key, Clock::time_point now) {
  const auto found = idle_.find(key);
  if (found == idle_.end()) return std::nullopt;
  std::vector<Idle>& connections = found->second;
  while (!connections.empty()) {
    Idle idle = std::move(connections.back());
    connections.pop_back();
    if (!expired(idle, now) && still_usable(idle.socket)) return std::move(idle.socket);
    close_quietly(idle.socket);
  }
  return std::nullopt;
}

void UpstreamPool::give_back(const std::string& key, tcp::socket socket, Clock::time_point now) {
  if (max_idle_per_key_ == 0) {
    close_quietly(socket);
    return;
  }
  std::vector<Idle>& connections = idle_[key];
  if (connections.size() >= max_idle_per_key_) {
    close_quietly(connections.front().socket);
    connections.erase(connections.begin());
  }
  connections.push_back(Idle{std::move(socket), now});
}

void UpstreamPool::close_expired(Clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    std::vector<Idle>& connections = it->second;
    // Oldest first, so the expired ones are a prefix.
    const auto fresh = std::find_if(connections.begin(), connections.end(),
                                    [&](const Idle& idle) { return !expired(idle, now); });
    for (auto stale = connections.begin(); stale != fresh; ++stale) close_quietly(stale->socket);
    connections.erase(connections.begin(), fresh);
    it = connections.empty() ? idle_.erase(it) : std::next(it);
  }
}

void UpstreamPool::close_all() {
  for (auto& [key, connections] : idle_) {
    for (Idle& idle : connections) close_quietly(idle.socket);
  }
  idle_.clear();
}

std::size_t UpstreamPool::idle_count() const {
  std::size_t count = 0;
  for (const auto& [key, connections] : idle_) count += connections.size();
  return count;
}

}  // namespace reg::proxy
