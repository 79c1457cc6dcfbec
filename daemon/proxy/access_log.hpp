#pragma once
// The access log (--access-log): one logfmt line per request the proxy
// answered. Workers never touch the disk: each appends to a buffer of its
// own, and one writer thread moves the buffers to the file every 100 ms and
// when the proxy stops. A buffer holds at most a few MiB; beyond that the
// writer has fallen behind, lines are dropped and counted, and the writer
// logs a warning with the count.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"

namespace reg::proxy {

// What one line says. Never a query string, never a header.
struct AccessEntry {
  std::chrono::system_clock::time_point time;
  std::string_view client;
  std::string_view method;  // "-" when the request header was never read
  std::string_view host;
  std::string_view path;  // without the query
  int status = 0;         // 0: the client got no answer
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::chrono::microseconds duration{0};
  std::string_view route;    // "r7", or "-"
  std::string_view backend;  // the backend URL the request went to, or "-"
};

// `time=2026-11-22T10:30:00.123Z client=… … backend=…` and a line break.
void append_access_line(std::string& line, const AccessEntry& entry);

// One worker's share of the log: its worker appends, the writer takes.
class AccessLogBuffer {
 public:
  explicit AccessLogBuffer(std::size_t limit_bytes) : limit_(limit_bytes) {}
  // Worker thread. Drops the line (and counts it) when the buffer is full.
  void append(std::string_view line);
  // Writer thread: swaps the buffered text into `into` (emptied first) and
  // returns the lines dropped since the last call.
  std::uint64_t take(std::string& into);

 private:
  std::mutex mutex_;  // held for an append or a swap, never for I/O
  std::string pending_;
  std::uint64_t dropped_ = 0;
  const std::size_t limit_;
};

class AccessLog {
 public:
  static constexpr std::size_t kDefaultBufferLimit = std::size_t{4} << 20;
  static constexpr std::chrono::milliseconds kFlushInterval{100};

  // `path` "-" is stderr; a file is opened for appending (created 0640).
  // The writer thread starts at once.
  static Result<std::unique_ptr<AccessLog>> open(const std::string& path, unsigned workers,
                                                 std::size_t buffer_limit = kDefaultBufferLimit);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  AccessLogBuffer& buffer(unsigned worker) { return *buffers_.at(worker); }
  // Any thread (SIGHUP, for logrotate): the writer writes what is buffered
  // to the file it has open, then opens the path again. Nothing for stderr.
  void reopen();
  // Writes what is buffered and ends the writer; appends after it are lost.
  void stop();

 private:
  AccessLog(int fd, bool owns_fd, std::string path, unsigned workers, std::size_t buffer_limit);
  void run();
  void flush();
  void reopen_now();

  int fd_;  // changed by the writer thread only
  const bool owns_fd_;
  const std::string path_;
  std::vector<std::unique_ptr<AccessLogBuffer>> buffers_;
  std::string chunk_;  // writer thread only
  bool write_failed_ = false;  // writer thread only: warn once per failure spell
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> reopen_requested_{false};
  std::thread writer_;
};

}  // namespace reg::proxy
