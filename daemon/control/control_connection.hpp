#pragma once
// One client connection to the control port: reads lines, answers each in
// order (pipelining allowed), and interleaves asynchronous lines and events.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/line_codec.hpp"
#include "daemon/control/client_link.hpp"

namespace reg::control {

class ControlPlane;
class Dispatcher;

class ControlConnection : public ClientLink, public std::enable_shared_from_this<ControlConnection> {
 public:
  using ClosedCallback = std::function<void(ConnectionId)>;

  ControlConnection(boost::asio::ip::tcp::socket socket, ControlPlane& plane, Dispatcher& dispatcher,
                    ConnectionId id, ClosedCallback on_closed);

  void start();
  // Sends what is queued, then closes (AUTH failures, daemon shutdown).
  void close_after_flush();

  ConnectionId connection_id() const override { return id_; }
  // "ADDR:PORT" of the client, for logs.
  std::string peer() const;
  void send_line(std::string line) override;
  void send_event(std::string line) override;

  // A command answering later: no further line is answered until then.
  void begin_deferred_reply() { awaiting_reply_ = true; }
  void complete_deferred_reply(std::string line);
  // A command's second-phase line is on its way (see LaterLine).
  void expect_later_line() { ++later_lines_expected_; }
  void deliver_later_line(std::string line);

  bool authenticated = false;
  int failed_auth_attempts = 0;

 private:
  void start_auth_deadline();
  void read();
  void on_readable(boost::system::error_code error);
  // Answers buffered lines, publishes routing changes, writes, reads on.
  void pump();
  // False when it stopped early because the output is backlogged.
  bool process_lines();
  void flush();
  // Moves pending_ behind the changes made so far: it may leave once they are durable.
  void hold_pending();
  // Moves held output whose changes are durable to writing_; asks to be
  // woken for the rest.
  void release_durable();
  void on_written(const boost::system::error_code& error);
  void finish();
  bool output_backlogged() const;

  boost::asio::ip::tcp::socket socket_;
  ControlPlane& plane_;
  Dispatcher& dispatcher_;
  ConnectionId id_;
  ClosedCallback on_closed_;
  LineFramer framer_;
  boost::asio::steady_timer auth_deadline_;

  struct HeldOutput {
    std::uint64_t ticket;  // StateSync ticket of the changes made before it
    std::string text;
  };
  std::string pending_;  // replies and lines produced, not yet handed to the socket
  std::deque<HeldOutput> held_;
  std::size_t held_bytes_ = 0;
  bool waiting_for_commit_ = false;
  std::string writing_;  // the buffer of the write in flight
  std::deque<std::string> events_;
  std::uint64_t dropped_events_ = 0;
  bool reading_ = false;
  bool writing_in_flight_ = false;
  bool peer_closed_ = false;   // EOF from the client: answer what came, then close
  bool closing_ = false;       // close once the output is flushed
  bool finished_ = false;
  bool awaiting_reply_ = false;
  int later_lines_expected_ = 0;
};

}  // namespace reg::control
