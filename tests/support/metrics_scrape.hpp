#pragma once
// regd's /metrics page read the way Prometheus reads it: every sample by its
// series as written (`name{label="value",...}`), after checking the page's
// shape, so a test asserts values and the format at once.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/value_parsers.hpp"

namespace reg::test {

class MetricsScrape {
 public:
  // GETs /metrics from `admin`. Throws, naming the line, unless the answer is
  // 200 in text format 0.0.4 where each sample follows its family's HELP and
  // TYPE lines and each family's samples come together.
  static MetricsScrape fetch(const HostPort& admin);

  // The value of `series` (exactly as the page writes it), if present.
  std::optional<double> value(std::string_view series) const;
  // TYPE of a family: "counter", "gauge", "histogram"; "" if absent.
  std::string type(std::string_view family) const;

 private:
  static MetricsScrape parse(std::string_view page);

  std::map<std::string, double, std::less<>> samples_;
  std::map<std::string, std::string, std::less<>> types_;
};

}  // namespace reg::test
