#pragma once
// Idle keep-alive connections to backends, kept by one worker thread and
// keyed by backend "host:port". Bounded per key; a connection idle longer
// than the idle timeout is closed, which should be shorter than the
// backends' own keep-alive timeouts so that regd closes first (DESIGN.md
// "Known traps": the stale keep-alive race).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "common/value_parsers.hpp"

namespace reg::proxy {

class UpstreamPool {
 public:
  using Clock = std::chrono::steady_clock;

  UpstreamPool(std::size_t max_idle_per_key, Milliseconds idle_timeout);
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // The most recently used connection to `key` that is still open, or
  // nullopt. Closes the expired ones and those the backend has closed (or
  // sent unsolicited bytes on) while they sat idle.
  std::optional<boost::asio::ip::tcp::socket> take(const std::string& key, Clock::time_point now);

  // Keeps `socket` for reuse; when `key` already has the maximum, the
  // longest idle one is closed to make room.
  void give_back(const std::string& key, boost::asio::ip::tcp::socket socket, Clock::time_point now);

  // Closes the connections idle since before now - idle timeout.
  void close_expired(Clock::time_point now);
  void close_all();

  std::size_t idle_count() const;

 private:
  struct Idle {
    boost::asio::ip::tcp::socket socket;
    Clock::time_point since;
  };

  bool expired(const Idle& idle, Clock::time_point now) const { return now - idle.since >= idle_timeout_; }

  std::size_t max_idle_per_key_;
  Milliseconds idle_timeout_;
  // Per key, oldest first.
  std::unordered_map<std::string, std::vector<Idle>> idle_;
};

}  // namespace reg::proxy
