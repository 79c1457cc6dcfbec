#pragma once
// The buffers answers are relayed through, kept by one worker thread for the
// next exchanges: fresh ones per request were two 16 KiB allocations, large
// enough to make malloc consolidate its free lists every time, and the
// growth of a string for the heads. Kept by pointer: moving the buffers
// themselves in and out of the spares cost hundreds of instructions per
// request.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>

#include "daemon/proxy/answer_parser.hpp"

namespace reg::proxy {

// What one exchange relays a request and its answer through.
struct RelayBuffer {
  // The head forwarded to the backend, kept until the answer begins: a
  // reused connection found dead gets it again on a fresh one.
  std::string request_head;
  boost::beast::flat_buffer from_backend;  // read from the backend, not parsed yet
  std::unique_ptr<char[]> body;            // RelayBuffers::kBytes of the answer's body on its way to the client
  std::string head;  // the head or chunk-size line of the next write to the backend or client
  AnswerHead answer;  // the backend's answer head, parsed
};

class RelayBuffers {
 public:
  // Large enough that a big body moves in few system calls, small enough
  // that thousands of concurrent relays stay cheap.
  static constexpr std::size_t kBytes = 16 * 1024;
  // Enough for the exchanges a busy worker has in flight at once; beyond
  // it, returned buffers are freed, so idle memory stays bounded.
  static constexpr std::size_t kMaxSpare = 64;
  // A large header grows the read buffer and the head text; such buffers are not kept.
  static constexpr std::size_t kMaxKeptCapacity = 4 * kBytes;

  std::unique_ptr<RelayBuffer> take() {
    if (spare_.empty()) {
      return std::make_unique<RelayBuffer>(
          RelayBuffer{{}, {}, std::make_unique_for_overwrite<char[]>(kBytes), {}, {}});
    }
    std::unique_ptr<RelayBuffer> buffer = std::move(spare_.back());
    spare_.pop_back();
    return buffer;
  }

  void give_back(std::unique_ptr<RelayBuffer> buffer) {
    if (buffer->request_head.capacity() > kMaxKeptCapacity || buffer->from_backend.capacity() > kMaxKeptCapacity ||
        buffer->head.capacity() > kMaxKeptCapacity ||
        buffer->answer.capacity() > kMaxKeptCapacity || spare_.size() >= kMaxSpare) {
      return;
    }
    buffer->request_head.clear();
    buffer->from_backend.clear();
    buffer->head.clear();
    buffer->answer.clear();
    spare_.push_back(std::move(buffer));
  }

 private:
  std::vector<std::unique_ptr<RelayBuffer>> spare_;
};

}  // namespace reg::proxy
