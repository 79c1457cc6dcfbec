#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include "daemon/admin/prometheus_text.hpp"

using reg::admin::escape_label_value;
using reg::admin::format_sample_value;
using reg::admin::LabelSet;
using reg::admin::MetricType;
using reg::admin::PrometheusText;
using std::chrono::microseconds;
using namespace std::chrono_literals;

TEST_CASE("prometheus text: label values escape backslash, quote and line feed only") {
  CHECK(escape_label_value("plain value") == "plain value");
  CHECK(escape_label_value(R"(a\b)") == R"(a\\b)");
  CHECK(escape_label_value(R"(say "hi")") == R"(say \"hi\")");
  CHECK(escape_label_value("two\nlines") == R"(two\nlines)");
  CHECK(escape_label_value("tab\tand ünïcode") == "tab\tand ünïcode");
}

TEST_CASE("prometheus text: a label set renders name=\"value\" pairs in order") {
  LabelSet labels;
  CHECK(labels.text().empty());
  labels.add("route", "r7").add("service", "we\"b");
  CHECK(labels.text() == R"(route="r7",service="we\"b")");
}

TEST_CASE("prometheus text: a family has HELP and TYPE lines, then its samples") {
  PrometheusText out;
  out.family("regd_requests_total", MetricType::counter, "Requests.\nBy route, with a \\ in it.");
  out.sample("regd_requests_total", LabelSet().add("route", "r1"), std::uint64_t{18446744073709551615u});
  out.sample("regd_requests_total", LabelSet(), std::uint64_t{0});
  out.family("regd_share", MetricType::gauge, "A share.");
  out.sample("regd_share", LabelSet(), 0.25);
  CHECK(out.take() ==
        "# HELP regd_requests_total Requests.\\nBy route, with a \\\\ in it.\n"
        "# TYPE regd_requests_total counter\n"
        "regd_requests_total{route=\"r1\"} 18446744073709551615\n"
        "regd_requests_total 0\n"
        "# HELP regd_share A share.\n"
        "# TYPE regd_share gauge\n"
        "regd_share 0.25\n");
}

TEST_CASE("prometheus text: sample values are Go-parseable floats") {
  CHECK(format_sample_value(1.0) == "1");
  CHECK(format_sample_value(0.001) == "0.001");
  CHECK(format_sample_value(-2.5) == "-2.5");
  CHECK(format_sample_value(1e21) == "1e+21");
  CHECK(format_sample_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_sample_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_sample_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("prometheus text: a histogram has cumulative buckets in seconds, +Inf, sum and count") {
  const std::array<microseconds, 3> bounds = {1ms, 250ms, 2500ms};
  const std::array<std::uint64_t, 3> cumulative = {1, 3, 3};
  PrometheusText out;
  out.family("regd_duration_seconds", MetricType::histogram, "Latency.");
  out.histogram("regd_duration_seconds", LabelSet().add("route", "r1"), bounds, cumulative, 0.5, 4);
  CHECK(out.take() ==
        "# HELP regd_duration_seconds Latency.\n"
        "# TYPE regd_duration_seconds histogram\n"
        "regd_duration_seconds_bucket{route=\"r1\",le=\"0.001\"} 1\n"
        "regd_duration_seconds_bucket{route=\"r1\",le=\"0.25\"} 3\n"
        "regd_duration_seconds_bucket{route=\"r1\",le=\"2.5\"} 3\n"
        "regd_duration_seconds_bucket{route=\"r1\",le=\"+Inf\"} 4\n"
        "regd_duration_seconds_sum{route=\"r1\"} 0.5\n"
        "regd_duration_seconds_count{route=\"r1\"} 4\n");
}

TEST_CASE("prometheus text: a histogram without labels has only le on its buckets") {
  const std::array<microseconds, 1> bounds = {10s};
  const std::array<std::uint64_t, 1> cumulative = {0};
  PrometheusText out;
  out.histogram("h", LabelSet(), bounds, cumulative, 0.0, 0);
  CHECK(out.take() == "h_bucket{le=\"10\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}
