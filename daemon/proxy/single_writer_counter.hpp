#pragma once
// A counter that exactly one thread writes and any thread reads. Because no
// other thread ever stores, the writer needs no read-modify-write (no locked
// instruction on the request path): a relaxed load and a relaxed store do.
#include <atomic>
#include <cstdint>

namespace reg::proxy {

class SingleWriterCounter {
 public:
  // Only from the owning thread.
  void add(std::uint64_t amount) {
    value_.store(value_.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
  }

  // Any thread; may lag the writer by a few updates.
  std::uint64_t load() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

}  // namespace reg::proxy
