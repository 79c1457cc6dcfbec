#include "daemon/proxy/latency_histogram.hpp"

#include <cmath>

namespace reg::proxy {

double LatencySnapshot::mean_micros() const {
  if (count == 0) return 0.0;
  return static_cast<double>(sum_micros) / static_cast<double>(count);
}

double LatencySnapshot::percentile_micros(double percent) const {
  if (count == 0) return 0.0;
  const double fraction = std::clamp(percent, 0.0, 100.0) / 100.0;
  const auto rank = std::clamp<std::uint64_t>(
      static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count))), 1, count);
  std::size_t index = 0;
  std::uint64_t seen = counts[0];
  while (seen < rank && index + 1 < counts.size()) seen += counts[++index];
  return (static_cast<double>(LatencyBuckets::lowest_value(index)) +
          static_cast<double>(LatencyBuckets::highest_value(index))) / 2.0;
}

std::array<std::uint64_t, kPrometheusLatencyBounds.size()>
LatencySnapshot::prometheus_bucket_counts() const {
  std::array<std::uint64_t, kPrometheusLatencyBounds.size()> cumulative{};
  std::uint64_t seen = 0;
  std::size_t index = 0;
  for (std::size_t bound = 0; bound < kPrometheusLatencyBounds.size(); ++bound) {
    const auto last = LatencyBuckets::index_of(
        static_cast<std::uint64_t>(kPrometheusLatencyBounds[bound].count()));
    for (; index <= last; ++index) seen += counts[index];
    cumulative[bound] = seen;
  }
  return cumulative;
}

void LatencyHistogram::add_to(LatencySnapshot& snapshot) const {
  for (std::size_t index = 0; index < counts_.size(); ++index) {
    const std::uint64_t bucket = counts_[index].load();
    snapshot.counts[index] += bucket;
    snapshot.count += bucket;
  }
  snapshot.sum_micros += sum_micros_.load();
}

}  // namespace reg::proxy
