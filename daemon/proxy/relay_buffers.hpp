#pragma once
// The buffers answers are relayed through, kept by one worker thread for the
// next exchanges: a fresh one per request was a 16 KiB allocation, large
// enough to make malloc consolidate its free lists every time.
#include <cstddef>
#include <memory>
#include <vector>

namespace reg::proxy {

class RelayBuffers {
 public:
  // Large enough that a big body moves in few system calls, small enough
  // that thousands of concurrent relays stay cheap.
  static constexpr std::size_t kBytes = 16 * 1024;
  // Enough for the exchanges a busy worker has in flight at once; beyond
  // it, returned buffers are freed, so idle memory stays bounded.
  static constexpr std::size_t kMaxSpare = 64;

  std::unique_ptr<char[]> take() {
    if (spare_.empty()) return std::make_unique_for_overwrite<char[]>(kBytes);
    auto buffer = std::move(spare_.back());
    spare_.pop_back();
    return buffer;
  }

  void give_back(std::unique_ptr<char[]> buffer) {
    if (buffer && spare_.size() < kMaxSpare) spare_.push_back(std::move(buffer));
  }

 private:
  std::vector<std::unique_ptr<char[]>> spare_;
};

}  // namespace reg::proxy
