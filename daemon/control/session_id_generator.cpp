#include "daemon/control/session_id_generator.hpp"

#include <sys/random.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace reg::control {

void SessionIdGenerator::refill() {
  for (std::size_t filled = 0; filled < pool_.size();) {
    const ssize_t got = getrandom(pool_.data() + filled, pool_.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(got);
  }
  used_ = 0;
}

std::string SessionIdGenerator::next(std::uint64_t counter) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (used_ + kRandomBytes > pool_.size()) refill();
  char text[1 + 20 + 1 + 2 * kRandomBytes];
  char* end = text;
  *end++ = 's';
  end = std::to_chars(end, text + sizeof text, counter).ptr;
  *end++ = '-';
  for (std::size_t i = 0; i < kRandomBytes; ++i) {
    const unsigned char byte = pool_[used_ + i];
    *end++ = kHex[byte >> 4];
    *end++ = kHex[byte & 15];
  }
  // Each random byte serves one id only.
  std::memset(pool_.data() + used_, 0, kRandomBytes);
  used_ += kRandomBytes;
  return std::string(text, end);
}

}  // namespace reg::control
