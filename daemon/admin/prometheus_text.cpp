#include "daemon/admin/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace reg::admin {
namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "untyped";
}

template <class Number>
void append_number(std::string& out, Number value) {
  std::array<char, 32> digits;
  const auto [end, error] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), error == std::errc() ? end : digits.data());
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  // Nearly every value needs no escaping: copy it whole.
  if (value.find_first_of("\\\"\n") == std::string_view::npos) {
    out += value;
    return;
  }
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  append_escaped_label_value(escaped, value);
  return escaped;
}

LabelSet& LabelSet::add(std::string_view name, std::string_view value) {
  if (!text_.empty()) text_ += ',';
  text_ += name;
  text_ += "=\"";
  append_escaped_label_value(text_, value);
  text_ += '"';
  return *this;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::string text;
  append_number(text, value);
  return text;
}

void PrometheusText::family(std::string_view name, MetricType type, std::string_view help) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  for (const char c : help) {
    if (c == '\\') text_ += "\\\\";
    else if (c == '\n') text_ += "\\n";
    else text_ += c;
  }
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type_name(type);
  text_ += '\n';
}

void PrometheusText::series(std::string_view name, std::string_view labels) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    text_ += labels;
    text_ += '}';
  }
  text_ += ' ';
}

void PrometheusText::sample(std::string_view name, const LabelSet& labels, std::uint64_t value) {
  series(name, labels.text());
  append_number(text_, value);
  text_ += '\n';
}

void PrometheusText::sample(std::string_view name, const LabelSet& labels, double value) {
  series(name, labels.text());
  text_ += format_sample_value(value);
  text_ += '\n';
}

void PrometheusText::histogram(std::string_view name, const LabelSet& labels,
                               std::span<const std::chrono::microseconds> bounds,
                               std::span<const std::uint64_t> cumulative, double sum_seconds,
                               std::uint64_t count) {
  const std::string bucket = std::string(name) + "_bucket";
  std::string bucket_labels = labels.text();
  if (!bucket_labels.empty()) bucket_labels += ',';
  bucket_labels += "le=\"";
  const std::size_t le_start = bucket_labels.size();
  for (std::size_t index = 0; index < bounds.size() && index < cumulative.size(); ++index) {
    bucket_labels.resize(le_start);
    bucket_labels += format_sample_value(std::chrono::duration<double>(bounds[index]).count());
    bucket_labels += '"';
    series(bucket, bucket_labels);
    append_number(text_, cumulative[index]);
    text_ += '\n';
  }
  bucket_labels.resize(le_start);
  bucket_labels += "+Inf\"";
  series(bucket, bucket_labels);
  append_number(text_, count);
  text_ += '\n';

  sample(std::string(name) + "_sum", labels, sum_seconds);
  sample(std::string(name) + "_count", labels, count);
}

}  // namespace reg::admin
