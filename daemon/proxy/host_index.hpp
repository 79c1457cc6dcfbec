#pragma once
// Host -> the range of a routing snapshot's pools for that host. An
// open-addressing table in one allocation: building it for 100,000 hosts
// must not cost 100,000 map nodes, and a lookup on the request path touches
// one or two cache lines.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace reg::proxy {

struct HostRange {
  std::uint32_t first = 0;
  std::uint32_t count = 0;  // 0 only in an empty slot
};

class HostIndex {
 public:
  // Sizes the table for `hosts` entries; call before insert().
  void reserve(std::size_t hosts);
  // `host` must outlive the index and not be in it yet; `range.count` > 0.
  void insert(std::string_view host, HostRange range);
  // The same with `hash` = host_hash(host), known already.
  void insert(std::string_view host, std::size_t hash, HostRange range);
  const HostRange* find(std::string_view host) const;

 private:
  struct Slot {
    std::size_t hash = 0;
    std::string_view host;
    HostRange range;
  };
  std::vector<Slot> slots_;  // a power of two, at most half full
};

}  // namespace reg::proxy
