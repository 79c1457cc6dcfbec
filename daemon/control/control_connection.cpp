#include "daemon/control/control_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <array>
#include <cstring>

#include <boost/asio/write.hpp>

#include "daemon/control/control_plane.hpp"
#include "daemon/control/dispatcher.hpp"

namespace reg::control {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// An idle connection keeps at most this much of its last answer's buffer:
// ten thousand idle clients must not each hold their biggest reply.
constexpr std::size_t kKeptOutputCapacity = 4 * 1024;

// Dead peers are noticed within about a minute (PROTOCOL keepalive: 30 s idle).
void enable_keepalive(boost::asio::ip::tcp::socket& socket) {
  const int fd = socket.native_handle();
  int on = 1, idle = 30, interval = 10, count = 3;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

}  // namespace

ControlConnection::ControlConnection(boost::asio::ip::tcp::socket socket, ControlPlane& plane,
                                     Dispatcher& dispatcher, ConnectionId id, ClosedCallback on_closed)
    : socket_(std::move(socket)),
      plane_(plane),
      dispatcher_(dispatcher),
      id_(id),
      on_closed_(std::move(on_closed)),
      framer_(plane.settings().max_line_bytes),
      auth_deadline_(socket_.get_executor()) {
  authenticated = plane.settings().auth_token.empty();
}

std::string ControlConnection::peer() const {
  boost::system::error_code error;
  const auto endpoint = socket_.remote_endpoint(error);
  if (error) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void ControlConnection::start() {
  enable_keepalive(socket_);
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);  // read_some after async_wait must not block
  if (!authenticated) start_auth_deadline();
  read();
}

void ControlConnection::start_auth_deadline() {
  const Milliseconds timeout = plane_.settings().auth_timeout;
  auth_deadline_.expires_after(timeout);
  // Weak: the deadline alone does not keep a closed connection alive.
  auth_deadline_.async_wait([weak = weak_from_this(), timeout](const boost::system::error_code& error) {
    const auto self = weak.lock();
    if (error || !self || self->authenticated || self->finished_) return;
    self->send_line("ERROR|authentication required (no AUTH within " + format_duration(timeout) + ")");
    self->close_after_flush();
  });
}

// Waits for readability, then reads into one buffer shared by the thread's
// connections, and the framer keeps only the bytes that came: a read buffer
// per connection, freed and allocated again between commands, leaves the
// heap fragmented at 64 KiB per connection that ever sent a line.
void ControlConnection::read() {
  if (reading_ || peer_closed_ || closing_ || output_backlogged()) return;
  reading_ = true;
  framer_.release_if_empty();
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& error) { self->on_readable(error); });
}

void ControlConnection::on_readable(boost::system::error_code error) {
  reading_ = false;
  if (finished_) return;
  thread_local std::array<char, kReadChunk> shared_buffer;
  std::size_t bytes = 0;
  if (!error) bytes = socket_.read_some(boost::asio::buffer(shared_buffer), error);
  if (error == boost::asio::error::would_block) error.clear();
  // EOF or reset: answer what already arrived, then close.
  if (error) {
    peer_closed_ = true;
  } else {
    std::memcpy(framer_.prepare(bytes), shared_buffer.data(), bytes);
    framer_.commit(bytes);
  }
  pump();
}

void ControlConnection::pump() {
  const bool drained = !output_backlogged() && process_lines();
  plane_.publish_if_changed();
  if (peer_closed_ && drained && later_lines_expected_ == 0) closing_ = true;
  flush();
  read();
}

bool ControlConnection::process_lines() {
  std::string_view line;
  while (!closing_) {
    if (awaiting_reply_) return false;
    const auto event = framer_.next(line);
    if (event == LineFramer::Event::need_more) return true;
    if (event == LineFramer::Event::too_long) {
      append_reply(pending_, "ERROR", {},
                   "line too long (limit " + std::to_string(framer_.max_line_bytes()) + " bytes)");
      continue;
    }
    if (line.empty()) continue;
    dispatcher_.handle_line(*this, line, pending_);
    if (output_backlogged()) return false;
  }
  return true;
}

bool ControlConnection::output_backlogged() const {
  return awaiting_reply_ || pending_.size() + held_bytes_ + writing_.size() > plane_.settings().max_output_bytes;
}

void ControlConnection::send_line(std::string line) {
  if (finished_) return;
  pending_ += line;
  pending_ += '\n';
  flush();
}

void ControlConnection::send_event(std::string line) {
  if (finished_) return;
  events_.push_back(std::move(line));
  while (events_.size() > plane_.settings().event_queue_limit) {
    events_.pop_front();
    ++dropped_events_;
    plane_.count_dropped_event();
  }
  flush();
}

void ControlConnection::complete_deferred_reply(std::string line) {
  if (finished_) return;
  awaiting_reply_ = false;
  pending_ += line;
  pending_ += '\n';
  pump();
}

void ControlConnection::deliver_later_line(std::string line) {
  --later_lines_expected_;
  if (finished_) return;
  pending_ += line;
  pending_ += '\n';
  pump();
}

void ControlConnection::close_after_flush() {
  closing_ = true;
  flush();
}

void ControlConnection::flush() {
  if (finished_) return;
  if (dropped_events_ > 0) {
    pending_ += "EVENT|events_dropped|{\"count\":" + std::to_string(dropped_events_) + "}\n";
    dropped_events_ = 0;
  }
  for (auto& event : events_) {
    pending_ += event;
    pending_ += '\n';
  }
  events_.clear();
  hold_pending();
  if (writing_in_flight_) return;
  release_durable();
  if (writing_.empty()) {
    if (closing_ && held_.empty()) finish();
    return;
  }
  writing_in_flight_ = true;
  boost::asio::async_write(socket_, boost::asio::buffer(writing_),
                           [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                             self->on_written(error);
                           });
}

void ControlConnection::hold_pending() {
  if (pending_.empty()) return;
  const std::uint64_t ticket = plane_.state().ticket();
  held_bytes_ += pending_.size();
  if (!held_.empty() && held_.back().ticket == ticket) held_.back().text += pending_;
  else held_.push_back({ticket, std::move(pending_)});
  pending_.clear();
}

void ControlConnection::release_durable() {
  StateSync& state = plane_.state();
  while (!held_.empty() && state.is_durable(held_.front().ticket)) {
    std::string& text = held_.front().text;
    held_bytes_ -= text.size();
    if (writing_.empty()) writing_.swap(text);
    else writing_ += text;
    held_.pop_front();
  }
  if (held_.empty() || waiting_for_commit_) return;
  waiting_for_commit_ = true;
  state.when_durable(held_.front().ticket, [self = shared_from_this()] {
    self->waiting_for_commit_ = false;
    self->flush();
  });
}

void ControlConnection::on_written(const boost::system::error_code& error) {
  writing_in_flight_ = false;
  writing_.clear();
  if (writing_.capacity() > kKeptOutputCapacity) writing_.shrink_to_fit();
  if (error) {
    finish();
    return;
  }
  // Lines held back while the output was backlogged get their turn now.
  pump();
}

void ControlConnection::finish() {
  if (finished_) return;
  finished_ = true;
  auth_deadline_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  plane_.connection_closed(id_);
  if (on_closed_) on_closed_(id_);
}

}  // namespace reg::control
