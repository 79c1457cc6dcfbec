#include "daemon/allocator_policy.hpp"

#include <malloc.h>

#include <cstdlib>

namespace reg {
namespace {

constexpr int kMiB = 1024 * 1024;

void set_unless_in_environment(const char* variable, int parameter, int value) {
  if (std::getenv(variable) == nullptr) mallopt(parameter, value);
}

}  // namespace

void keep_freed_memory_for_reuse() {
  set_unless_in_environment("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, 32 * kMiB);
  set_unless_in_environment("MALLOC_TRIM_THRESHOLD_", M_TRIM_THRESHOLD, 128 * kMiB);
  set_unless_in_environment("MALLOC_TOP_PAD_", M_TOP_PAD, 16 * kMiB);
}

}  // namespace reg
