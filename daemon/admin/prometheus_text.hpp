#pragma once
// Writes the Prometheus text exposition format, version 0.0.4: HELP and TYPE
// lines, then the family's samples, one per line. Labels are rendered once per
// series and reused for each of its samples, so a page of many series costs
// little more than its bytes.
#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace reg::admin {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Label values may hold any UTF-8: backslash, double quote and line feed are
// escaped as \\, \" and \n.
std::string escape_label_value(std::string_view value);

// A series' labels as they go between the braces: `route="r7",service="web"`.
class LabelSet {
 public:
  LabelSet() = default;
  // `name` must be a valid label name; the value is escaped.
  LabelSet& add(std::string_view name, std::string_view value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

enum class MetricType { counter, gauge, histogram };

class PrometheusText {
 public:
  // Starts a metric family; its samples must follow before the next family.
  // HELP text escapes backslash and line feed.
  void family(std::string_view name, MetricType type, std::string_view help);

  void sample(std::string_view name, const LabelSet& labels, std::uint64_t value);
  void sample(std::string_view name, const LabelSet& labels, double value);

  // `name`_bucket for each bound (in seconds) and +Inf, then `name`_sum and
  // `name`_count. `cumulative[i]` counts the observations at or below
  // `bounds[i]`; +Inf and _count are `count`.
  void histogram(std::string_view name, const LabelSet& labels,
                 std::span<const std::chrono::microseconds> bounds,
                 std::span<const std::uint64_t> cumulative, double sum_seconds, std::uint64_t count);

  std::string take() { return std::move(text_); }

 private:
  void series(std::string_view name, std::string_view labels);

  std::string text_;
};

// The shortest text that reads back as `value`; +Inf, -Inf and NaN as
// Prometheus spells them.
std::string format_sample_value(double value);

}  // namespace reg::admin
