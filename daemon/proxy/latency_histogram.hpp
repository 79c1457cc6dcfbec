#pragma once
// Request latencies in bounded memory (PROTOCOL.md §5 "Observability": a fixed
// histogram, not a list of samples). The buckets are log-linear, as in
// HdrHistogram: one per microsecond below 32 µs, then 16 equal sub-buckets per
// power of two, so no bucket is wider than 1/16 of the values it holds and a
// percentile, reported as its bucket's midpoint, is within 1/32 (about 3 %).
// 16 rather than 32 sub-buckets halves the memory of every active route's
// per-worker histogram (432 buckets instead of 832) for that precision. The
// range ends at 2^30 µs (about 18 minutes); longer latencies count in the last
// bucket.
#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "daemon/proxy/single_writer_counter.hpp"

namespace reg::proxy {

class LatencyBuckets {
 public:
  static constexpr unsigned kSubBucketBits = 4;
  static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;
  static constexpr unsigned kHighestExponent = 29;
  // Values below this have a bucket each.
  static constexpr std::uint64_t kExactBelow = 2 * kSubBuckets;
  static constexpr std::size_t kCount =
      kExactBelow + (kHighestExponent - kSubBucketBits) * kSubBuckets;

  static constexpr std::size_t index_of(std::uint64_t micros) {
    if (micros < kExactBelow) return static_cast<std::size_t>(micros);
    const unsigned exponent = static_cast<unsigned>(std::bit_width(micros)) - 1;
    if (exponent > kHighestExponent) return kCount - 1;
    const unsigned shift = exponent - kSubBucketBits;
    const std::uint64_t octave = exponent - kSubBucketBits - 1;
    return static_cast<std::size_t>(kExactBelow + octave * kSubBuckets +
                                    ((micros >> shift) - kSubBuckets));
  }

  // The smallest and largest value (inclusive) that land in bucket `index`.
  static constexpr std::uint64_t lowest_value(std::size_t index) {
    if (index < kExactBelow) return index;
    const std::uint64_t offset = index - kExactBelow;
    const unsigned shift = static_cast<unsigned>(offset / kSubBuckets) + 1;
    return (kSubBuckets + offset % kSubBuckets) << shift;
  }
  static constexpr std::uint64_t highest_value(std::size_t index) {
    if (index < kExactBelow) return index;
    const unsigned shift = static_cast<unsigned>((index - kExactBelow) / kSubBuckets) + 1;
    return lowest_value(index) + (std::uint64_t{1} << shift) - 1;
  }
};

// The coarse `le` bounds the /metrics page prints for Prometheus, derived from
// the fine buckets.
inline constexpr std::array<std::chrono::microseconds, 12> kPrometheusLatencyBounds = {
    std::chrono::milliseconds(1),    std::chrono::milliseconds(5),
    std::chrono::milliseconds(10),   std::chrono::milliseconds(25),
    std::chrono::milliseconds(50),   std::chrono::milliseconds(100),
    std::chrono::milliseconds(250),  std::chrono::milliseconds(500),
    std::chrono::milliseconds(1000), std::chrono::milliseconds(2500),
    std::chrono::milliseconds(5000), std::chrono::milliseconds(10000),
};

// A plain copy of one or more histograms, for readers.
struct LatencySnapshot {
  std::array<std::uint64_t, LatencyBuckets::kCount> counts{};
  std::uint64_t count = 0;
  std::uint64_t sum_micros = 0;

  // 0 when empty.
  double mean_micros() const;
  // `percent` in [0, 100]; the midpoint of the bucket holding that rank, so
  // within half a bucket (at most 1/32, about 3 %) of the true value. 0 when
  // empty.
  double percentile_micros(double percent) const;
  // Cumulative counts for kPrometheusLatencyBounds. A bound inside a fine
  // bucket counts that whole bucket, so a count is exact to the bucket's width.
  std::array<std::uint64_t, kPrometheusLatencyBounds.size()> prometheus_bucket_counts() const;
};

class LatencyHistogram {
 public:
  // Only from the owning worker thread.
  void record(std::chrono::microseconds latency) {
    const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    counts_[LatencyBuckets::index_of(micros)].add(1);
    sum_micros_.add(micros);
  }

  // Any thread: adds this histogram's counts to `snapshot`.
  void add_to(LatencySnapshot& snapshot) const;

 private:
  std::array<SingleWriterCounter, LatencyBuckets::kCount> counts_;
  SingleWriterCounter sum_micros_;
};

}  // namespace reg::proxy
