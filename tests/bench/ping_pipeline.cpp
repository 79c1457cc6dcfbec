// Control-plane throughput: one connection, PING lines pipelined in large
// batches by a writer thread while a reader thread counts the replies.
//
//   ping_pipeline [--seconds 5] [--batch 16384] [--window 262144]
//                 [--regd PATH [--workers N] | --port P [--request PING] [--reply PONG]]
//
// Without --port it starts its own regd; with --port it measures whatever
// listens on 127.0.0.1:P (e.g. `--port 6390 --reply +PONG` for redis-server).
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "bench_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using reg::bench::RegdProcess;
using reg::bench::for_each_flag;
using reg::bench::parse_number;

constexpr double kTargetRepliesPerSecond = 1'000'000;

struct Settings {
  double seconds = 5;
  std::size_t batch = 16384;    // PINGs per write()
  std::size_t window = 262144;  // most PINGs without a reply yet: bounds the tail after the deadline
  std::optional<std::uint16_t> port;
  std::string regd = REGD_BINARY;
  std::string workers = "1";
  std::string request = "PING";
  std::string reply = "PONG";
};

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for_each_flag(argc, argv, [&](std::string_view flag, std::string_view value) {
    if (flag == "--seconds") settings.seconds = parse_number<double>(value, flag);
    else if (flag == "--batch") settings.batch = parse_number<std::size_t>(value, flag);
    else if (flag == "--window") settings.window = parse_number<std::size_t>(value, flag);
    else if (flag == "--port") settings.port = parse_number<std::uint16_t>(value, flag);
    else if (flag == "--regd") settings.regd = value;
    else if (flag == "--workers") settings.workers = value;
    else if (flag == "--request") settings.request = value;
    else if (flag == "--reply") settings.reply = value;
    else throw std::runtime_error("unknown flag " + std::string(flag));
  });
  if (settings.seconds > 60) throw std::runtime_error("--seconds: at most 60 (runs are bounded)");
  if (settings.window < settings.batch) throw std::runtime_error("--window must be at least --batch");
  return settings;
}

// Counts reply lines and checks each is the expected one, across reads that
// split lines anywhere.
class ReplyCounter {
 public:
  explicit ReplyCounter(std::string expected) : expected_(std::move(expected)) {}

  // Returns false at the first unexpected line (kept in unexpected()).
  bool consume(const char* data, std::size_t size) {
    const char* const end = data + size;
    while (data < end) {
      const char* lf = static_cast<const char*>(std::memchr(data, '\n', end - data));
      if (lf == nullptr) {
        partial_.append(data, end);
        return partial_.size() <= expected_.size() + 1 || fail(partial_);
      }
      std::string_view line;
      if (partial_.empty()) {
        line = std::string_view(data, lf - data);
      } else {
        partial_.append(data, lf);
        line = partial_;
      }
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line != expected_) return fail(line);
      partial_.clear();
      ++count_;
      data = lf + 1;
    }
    return true;
  }

  std::uint64_t count() const { return count_; }
  const std::string& unexpected() const { return unexpected_; }

 private:
  bool fail(std::string_view line) {
    unexpected_ = std::string(line.substr(0, 200));
    return false;
  }

  std::string expected_;
  std::string partial_;
  std::string unexpected_;
  std::uint64_t count_ = 0;
};

struct Outcome {
  std::uint64_t sent = 0;
  std::uint64_t replies = 0;
  double seconds = 0;  // first write to last reply
  std::string error;
};

Outcome run(int fd, const Settings& settings) {
  std::string batch;
  batch.reserve(settings.batch * (settings.request.size() + 1));
  for (std::size_t i = 0; i < settings.batch; ++i) (batch += settings.request) += '\n';

  std::atomic<std::uint64_t> replies{0};
  std::atomic<bool> reader_failed{false};
  std::atomic<std::uint64_t> sent_total{0};
  std::atomic<bool> writer_done{false};
  Clock::time_point last_reply_at;
  std::string reader_error;

  const auto started = Clock::now();
  const auto write_deadline = started + std::chrono::duration<double>(settings.seconds);
  // Replies still owed after the deadline get this long, so a stalled server
  // cannot hang the benchmark.
  const auto drain_deadline = write_deadline + std::chrono::seconds(10);

  std::thread reader([&] {
    ReplyCounter counter(settings.reply);
    auto buffer = std::make_unique<char[]>(1 << 22);
    for (;;) {
      if (writer_done.load(std::memory_order_acquire) && counter.count() >= sent_total.load()) break;
      if (Clock::now() > drain_deadline) {
        reader_error = "only " + std::to_string(counter.count()) + " of " + std::to_string(sent_total.load()) +
                       " replies arrived within 10 s after the last write";
        break;
      }
      pollfd readable{fd, POLLIN, 0};
      if (::poll(&readable, 1, 100) <= 0) continue;
      const ssize_t got = ::recv(fd, buffer.get(), 1 << 22, 0);
      if (got <= 0) {
        reader_error = got == 0 ? "connection closed by the server" : std::string("recv: ") + std::strerror(errno);
        break;
      }
      if (!counter.consume(buffer.get(), static_cast<std::size_t>(got))) {
        reader_error = "unexpected reply \"" + counter.unexpected() + "\"";
        break;
      }
      last_reply_at = Clock::now();
      replies.store(counter.count(), std::memory_order_release);
    }
    if (!reader_error.empty()) {
      reader_failed = true;
      // A writer blocked on a full socket (the server stalled, or stopped
      // reading because we stopped reading its replies) gets an error now.
      ::shutdown(fd, SHUT_RDWR);
    }
  });

  std::uint64_t sent = 0;
  while (Clock::now() < write_deadline && !reader_failed) {
    if (sent + settings.batch - replies.load(std::memory_order_acquire) > settings.window) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      continue;
    }
    try {
      reg::bench::send_all(fd, batch);
    } catch (const std::exception&) {
      break;  // the reader reports why the connection ended
    }
    sent += settings.batch;
    sent_total.store(sent, std::memory_order_release);
  }
  writer_done.store(true, std::memory_order_release);
  reader.join();

  Outcome outcome;
  outcome.sent = sent;
  outcome.replies = replies.load();
  outcome.seconds = std::chrono::duration<double>(last_reply_at - started).count();
  outcome.error = reader_error;
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings settings = parse_settings(argc, argv);
    std::unique_ptr<RegdProcess> regd;
    std::uint16_t port = 0;
    if (settings.port) {
      port = *settings.port;
    } else {
      regd = std::make_unique<RegdProcess>(settings.regd, std::vector<std::string>{"--workers", settings.workers});
      port = regd->control_port();
    }
    const int fd = reg::bench::connect_loopback(port);
    const Outcome outcome = run(fd, settings);
    ::close(fd);

    std::cout << "command: " << reg::bench::invocation(argc, argv) << "\n";
    if (regd) std::cout << "server:  " << regd->command_line() << "\n";
    else std::cout << "server:  whatever listens on 127.0.0.1:" << port << "\n";
    std::cout << "request: \"" << settings.request << "\\n\" x " << settings.batch << " per write, at most "
              << settings.window << " unanswered\n";
    if (!outcome.error.empty()) {
      std::cout << "FAILED: " << outcome.error << "\n";
      return 1;
    }
    const double rate = outcome.replies / outcome.seconds;
    std::printf("replies: %llu in %.3f s = %.0f replies/s\n", static_cast<unsigned long long>(outcome.replies),
                outcome.seconds, rate);
    if (regd) {
      std::printf("target:  >= %.0f replies/s: %s\n", kTargetRepliesPerSecond,
                  rate >= kTargetRepliesPerSecond ? "met" : "MISSED");
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "ping_pipeline: " << error.what() << "\n";
    return 1;
  }
}
