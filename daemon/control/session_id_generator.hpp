#pragma once
// Session ids (PROTOCOL.md §2): "s<counter>-<32 hex digits>". The counter
// makes ids unique even if randomness repeated; the 128 random bits make
// them unguessable. Random bytes come from the kernel a block at a time:
// one getrandom() per id was a measurable share of a REGISTER.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace reg::control {

class SessionIdGenerator {
 public:
  std::string next(std::uint64_t counter);

 private:
  static constexpr std::size_t kRandomBytes = 16;
  void refill();

  std::array<unsigned char, 64 * kRandomBytes> pool_{};
  std::size_t used_ = pool_.size();
};

}  // namespace reg::control
