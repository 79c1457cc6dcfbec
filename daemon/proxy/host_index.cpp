#include "daemon/proxy/host_index.hpp"

#include <bit>
#include <cassert>
#include <functional>

namespace reg::proxy {
namespace {

std::size_t hash_of(std::string_view host) { return std::hash<std::string_view>{}(host); }

}  // namespace

void HostIndex::reserve(std::size_t hosts) {
  assert(slots_.empty());
  slots_.resize(std::bit_ceil(std::max<std::size_t>(2 * hosts, 8)));
}

void HostIndex::insert(std::string_view host, HostRange range) { insert(host, hash_of(host), range); }

void HostIndex::insert(std::string_view host, std::size_t hash, HostRange range) {
  assert(range.count > 0 && !slots_.empty() && hash == hash_of(host));
  const std::size_t mask = slots_.size() - 1;
  std::size_t position = hash & mask;
  while (slots_[position].range.count != 0) position = (position + 1) & mask;
  slots_[position] = {hash, host, range};
}

const HostRange* HostIndex::find(std::string_view host) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  const std::size_t hash = hash_of(host);
  for (std::size_t position = hash & mask;; position = (position + 1) & mask) {
    const Slot& slot = slots_[position];
    if (slot.range.count == 0) return nullptr;
    if (slot.hash == hash && slot.host == host) return &slot.range;
  }
}

}  // namespace reg::proxy
