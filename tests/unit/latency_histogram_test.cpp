#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>

#include "daemon/proxy/latency_histogram.hpp"

using reg::proxy::kPrometheusLatencyBounds;
using reg::proxy::LatencyBuckets;
using reg::proxy::LatencyHistogram;
using reg::proxy::LatencySnapshot;
using std::chrono::microseconds;

namespace {

LatencySnapshot snapshot_of(const LatencyHistogram& histogram) {
  LatencySnapshot snapshot;
  histogram.add_to(snapshot);
  return snapshot;
}

}  // namespace

TEST_CASE("latency histogram: buckets tile the range with at most 1/16 relative width") {
  CHECK(LatencyBuckets::lowest_value(0) == 0);
  for (std::size_t index = 0; index < LatencyBuckets::kCount; ++index) {
    const auto lowest = LatencyBuckets::lowest_value(index);
    const auto highest = LatencyBuckets::highest_value(index);
    REQUIRE(lowest <= highest);
    REQUIRE(LatencyBuckets::index_of(lowest) == index);
    REQUIRE(LatencyBuckets::index_of(highest) == index);
    if (index + 1 < LatencyBuckets::kCount) {
      REQUIRE(LatencyBuckets::lowest_value(index + 1) == highest + 1);
    }
    if (index < LatencyBuckets::kExactBelow) {
      REQUIRE(lowest == highest);
    } else {
      REQUIRE(static_cast<double>(highest - lowest + 1) / static_cast<double>(lowest) <=
              1.0 / 16.0);
    }
  }
  // Ten minutes fit inside the range.
  CHECK(LatencyBuckets::highest_value(LatencyBuckets::kCount - 1) >= 600'000'000u);
}

TEST_CASE("latency histogram: a percentile is within 1/32 of the value across the range") {
  // Steps of 1 % visit every octave at several offsets, including octave starts,
  // where the midpoint of a bucket is furthest from its lowest value.
  for (double value = 1; value < LatencyBuckets::lowest_value(LatencyBuckets::kCount - 1);
       value = std::ceil(value * 1.01)) {
    LatencyHistogram histogram;
    histogram.record(microseconds(static_cast<std::int64_t>(value)));
    const double reported = snapshot_of(histogram).percentile_micros(50);
    REQUIRE(std::abs(reported - value) / value <= 1.0 / 32.0);
  }
}

TEST_CASE("latency histogram: empty histogram gives 0") {
  const LatencySnapshot snapshot = snapshot_of(LatencyHistogram{});
  CHECK(snapshot.count == 0);
  CHECK(snapshot.mean_micros() == 0.0);
  CHECK(snapshot.percentile_micros(50) == 0.0);
  CHECK(snapshot.percentile_micros(99) == 0.0);
  for (const auto count : snapshot.prometheus_bucket_counts()) CHECK(count == 0);
}

TEST_CASE("latency histogram: small latencies are exact") {
  LatencyHistogram histogram;
  for (int micros = 1; micros <= 10; ++micros) histogram.record(microseconds(micros));
  const LatencySnapshot snapshot = snapshot_of(histogram);
  CHECK(snapshot.count == 10);
  CHECK(snapshot.percentile_micros(50) == 5.0);
  CHECK(snapshot.percentile_micros(100) == 10.0);
  CHECK(snapshot.percentile_micros(0) == 1.0);
  CHECK(snapshot.mean_micros() == Approx(5.5));
}

TEST_CASE("latency histogram: percentiles of a uniform distribution within tolerance") {
  LatencyHistogram histogram;
  for (int micros = 1; micros <= 100'000; ++micros) histogram.record(microseconds(micros));
  const LatencySnapshot snapshot = snapshot_of(histogram);
  CHECK(snapshot.count == 100'000);
  CHECK(snapshot.percentile_micros(50) == Approx(50'000).epsilon(0.02));
  CHECK(snapshot.percentile_micros(95) == Approx(95'000).epsilon(0.02));
  CHECK(snapshot.percentile_micros(99) == Approx(99'000).epsilon(0.02));
  CHECK(snapshot.percentile_micros(99.9) == Approx(99'900).epsilon(0.02));
  CHECK(snapshot.mean_micros() == Approx(50'000.5));
}

TEST_CASE("latency histogram: percentiles of a bimodal distribution within tolerance") {
  LatencyHistogram histogram;
  // 90 % fast requests at 2 ms, 10 % slow ones at 3 s.
  for (int i = 0; i < 900; ++i) histogram.record(std::chrono::milliseconds(2));
  for (int i = 0; i < 100; ++i) histogram.record(std::chrono::seconds(3));
  const LatencySnapshot snapshot = snapshot_of(histogram);
  CHECK(snapshot.percentile_micros(50) == Approx(2'000).epsilon(0.02));
  CHECK(snapshot.percentile_micros(90) == Approx(2'000).epsilon(0.02));
  CHECK(snapshot.percentile_micros(91) == Approx(3'000'000).epsilon(0.02));
  CHECK(snapshot.percentile_micros(99) == Approx(3'000'000).epsilon(0.02));
  CHECK(snapshot.mean_micros() == Approx(0.9 * 2'000 + 0.1 * 3'000'000));
}

TEST_CASE("latency histogram: out-of-range latencies are clamped") {
  LatencyHistogram histogram;
  histogram.record(microseconds(-5));
  histogram.record(std::chrono::hours(2));
  const LatencySnapshot snapshot = snapshot_of(histogram);
  CHECK(snapshot.counts[0] == 1);
  CHECK(snapshot.counts[LatencyBuckets::kCount - 1] == 1);
  CHECK(snapshot.percentile_micros(100) >=
        static_cast<double>(LatencyBuckets::lowest_value(LatencyBuckets::kCount - 1)));
}

TEST_CASE("latency histogram: snapshots merge several histograms") {
  LatencyHistogram first;
  LatencyHistogram second;
  for (int i = 0; i < 50; ++i) first.record(std::chrono::milliseconds(1));
  for (int i = 0; i < 50; ++i) second.record(std::chrono::milliseconds(100));
  LatencySnapshot merged;
  first.add_to(merged);
  second.add_to(merged);
  CHECK(merged.count == 100);
  CHECK(merged.sum_micros == 50 * 1'000 + 50 * 100'000);
  CHECK(merged.percentile_micros(50) == Approx(1'000).epsilon(0.02));
  CHECK(merged.percentile_micros(51) == Approx(100'000).epsilon(0.02));
  CHECK(merged.mean_micros() == Approx(50'500));
}

TEST_CASE("latency histogram: prometheus bucket counts are cumulative") {
  LatencyHistogram histogram;
  histogram.record(microseconds(200));             // le 1ms
  histogram.record(std::chrono::milliseconds(3));  // le 5ms
  histogram.record(std::chrono::milliseconds(3));
  histogram.record(std::chrono::milliseconds(400));  // le 500ms
  histogram.record(std::chrono::seconds(30));        // only +Inf
  const LatencySnapshot snapshot = snapshot_of(histogram);
  const auto counts = snapshot.prometheus_bucket_counts();
  REQUIRE(kPrometheusLatencyBounds.front() == std::chrono::milliseconds(1));
  REQUIRE(kPrometheusLatencyBounds.back() == std::chrono::seconds(10));
  const std::array<std::uint64_t, 12> expected = {1, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4};
  CHECK(counts == expected);
  CHECK(snapshot.count == 5);
}
