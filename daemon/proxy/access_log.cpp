#include "daemon/proxy/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <ctime>

#include "daemon/log.hpp"

namespace reg::proxy {
namespace {

// Digits of `value`, at least `width` of them (zero-padded).
void append_number(std::string& line, std::uint64_t value, int width = 1) {
  char digits[24];
  const char* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  for (auto written = end - digits; written < width; ++written) line += '0';
  line.append(digits, static_cast<std::size_t>(end - digits));
}

// RFC 3339 UTC with milliseconds: "2026-11-22T10:30:00.123Z". Formatting the
// date and time costs more than the rest of the line, and a worker writes
// many lines within one second, so each thread keeps the last second's text.
void append_time(std::string& line, std::chrono::system_clock::time_point time) {
  struct FormattedSecond {
    std::int64_t second = -1;
    char text[24] = {};
    std::size_t size = 0;
  };
  thread_local FormattedSecond last;
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::int64_t second = since_epoch / 1000;
  if (second != last.second) {
    const auto seconds = static_cast<std::time_t>(second);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    last.size = std::strftime(last.text, sizeof last.text, "%Y-%m-%dT%H:%M:%S", &utc);
    last.second = second;
  }
  line.append(last.text, last.size);
  line += '.';
  append_number(line, static_cast<std::uint64_t>(since_epoch % 1000), 3);
  line += 'Z';
}

void append_key(std::string& line, std::string_view key) {
  line += ' ';
  line += key;
  line += '=';
}

void append_field(std::string& line, std::string_view key, std::string_view value) {
  append_key(line, key);
  log::append_value(line, value.empty() ? std::string_view{"-"} : value);
}

// Numbers never need quoting.
void append_number_field(std::string& line, std::string_view key, std::uint64_t value) {
  append_key(line, key);
  append_number(line, value);
}

}  // namespace

void append_access_line(std::string& line, const AccessEntry& entry) {
  line += "time=";
  append_time(line, entry.time);
  append_field(line, "client", entry.client);
  append_field(line, "method", entry.method);
  append_field(line, "host", entry.host);
  append_field(line, "path", entry.path);
  append_number_field(line, "status", static_cast<std::uint64_t>(entry.status < 0 ? 0 : entry.status));
  append_number_field(line, "bytes_sent", entry.bytes_sent);
  append_number_field(line, "bytes_received", entry.bytes_received);
  const auto micros = static_cast<std::uint64_t>(entry.duration.count() < 0 ? 0 : entry.duration.count());
  append_number_field(line, "duration_ms", micros / 1000);
  line += '.';
  append_number(line, micros % 1000, 3);
  append_field(line, "route", entry.route);
  append_field(line, "backend", entry.backend);
  line += '\n';
}

void AccessLogBuffer::append(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (pending_.size() + line.size() > limit_) {
    ++dropped_;
    return;
  }
  pending_ += line;
}

std::uint64_t AccessLogBuffer::take(std::string& into) {
  into.clear();
  std::lock_guard lock(mutex_);
  pending_.swap(into);
  const std::uint64_t dropped = dropped_;
  dropped_ = 0;
  return dropped;
}

Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& path, unsigned workers,
                                                    std::size_t buffer_limit) {
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(STDERR_FILENO, false, path, workers, buffer_limit));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return make_error("cannot open access log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<AccessLog>(new AccessLog(fd, true, path, workers, buffer_limit));
}

AccessLog::AccessLog(int fd, bool owns_fd, std::string path, unsigned workers, std::size_t buffer_limit)
    : fd_(fd), owns_fd_(owns_fd), path_(std::move(path)) {
  for (unsigned i = 0; i < workers; ++i) buffers_.push_back(std::make_unique<AccessLogBuffer>(buffer_limit));
  writer_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  stop();
  if (owns_fd_) ::close(fd_);
}

void AccessLog::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void AccessLog::reopen() {
  reopen_requested_ = true;
  wake_.notify_all();
}

void AccessLog::reopen_now() {
  if (!owns_fd_) return;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    log::error("cannot reopen the access log, still writing to the old file",
               {{"file", path_}, {"error", std::strerror(errno)}});
    return;
  }
  ::close(fd_);
  fd_ = fd;
  write_failed_ = false;
  log::info("access log reopened", {{"file", path_}});
}

void AccessLog::run() {
  for (;;) {
    bool last;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kFlushInterval, [this] { return stopping_ || reopen_requested_.load(); });
      last = stopping_;
    }
    // Also when stop() came before the first wait: the last flush is never skipped.
    flush();
    // What was buffered before the request still goes to the old file.
    if (reopen_requested_.exchange(false)) reopen_now();
    if (last) return;
  }
}

void AccessLog::flush() {
  for (std::size_t worker = 0; worker < buffers_.size(); ++worker) {
    const std::uint64_t dropped = buffers_[worker]->take(chunk_);
    if (dropped > 0) {
      log::warn("access log lines dropped: the writer fell behind",
                {{"worker", std::to_string(worker)}, {"dropped", std::to_string(dropped)}});
    }
    std::size_t done = 0;
    while (done < chunk_.size()) {
      const ssize_t written = ::write(fd_, chunk_.data() + done, chunk_.size() - done);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        if (!write_failed_) {
          log::error("cannot write the access log", {{"file", path_}, {"error", std::strerror(errno)}});
          write_failed_ = true;
        }
        break;
      }
      done += static_cast<std::size_t>(written);
    }
    if (done == chunk_.size() && !chunk_.empty()) write_failed_ = false;
  }
}

}  // namespace reg::proxy
