#include "support/metrics_scrape.hpp"

#include <limits>
#include <set>
#include <stdexcept>
#include <string>

#include "support/http_client.hpp"

namespace reg::test {
namespace {

[[noreturn]] void malformed(std::string_view why, std::string_view line) {
  throw std::runtime_error("/metrics: " + std::string(why) + ": " + std::string(line));
}

// The family a sample belongs to: histograms write name_bucket, name_sum and
// name_count under the family name.
std::string family_of(std::string_view metric, const std::map<std::string, std::string, std::less<>>& types) {
  for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (metric.size() <= suffix.size() || metric.substr(metric.size() - suffix.size()) != suffix) continue;
    const std::string base(metric.substr(0, metric.size() - suffix.size()));
    auto found = types.find(base);
    if (found != types.end() && found->second == "histogram") return base;
  }
  return std::string(metric);
}

double parse_value(std::string_view text, std::string_view line) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  try {
    std::size_t used = 0;
    const double value = std::stod(std::string(text), &used);
    if (used != text.size()) malformed("bad value", line);
    return value;
  } catch (const std::logic_error&) {
    malformed("bad value", line);
  }
}

// The end of a sample's series: after the closing brace of its labels, where
// quoted label values may contain escaped quotes, braces and spaces.
std::size_t series_end(std::string_view line) {
  const std::size_t brace = line.find('{');
  const std::size_t space = line.find(' ');
  if (brace == std::string_view::npos || space < brace) return space;
  bool quoted = false;
  for (std::size_t index = brace; index < line.size(); ++index) {
    const char c = line[index];
    if (quoted && c == '\\') {
      ++index;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '}') {
      return index + 1;
    } else if (!quoted && c == '\n') {
      break;
    }
  }
  malformed("unterminated labels", line);
}

}  // namespace

MetricsScrape MetricsScrape::fetch(const HostPort& admin) {
  const HttpResponse response = http_get(admin, "localhost", "/metrics");
  if (response.status != 200) throw std::runtime_error("/metrics: " + response.summary());
  if (response.header("Content-Type").rfind("text/plain; version=0.0.4", 0) != 0) {
    throw std::runtime_error("/metrics: Content-Type " + response.header("Content-Type"));
  }
  return parse(response.body);
}

MetricsScrape MetricsScrape::parse(std::string_view page) {
  MetricsScrape scrape;
  std::set<std::string, std::less<>> finished_families;
  std::set<std::string, std::less<>> described;
  std::string current_family;
  while (!page.empty()) {
    const std::size_t newline = page.find('\n');
    if (newline == std::string_view::npos) malformed("no line feed after the last line", page);
    const std::string_view line = page.substr(0, newline);
    page.remove_prefix(newline + 1);
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const std::string_view rest = line.substr(7);
      const std::string name(rest.substr(0, rest.find(' ')));
      if (name != current_family) {
        if (!current_family.empty()) finished_families.insert(current_family);
        if (finished_families.count(name)) malformed("family written twice", line);
        current_family = name;
      }
      if (line[2] == 'H') {
        described.insert(name);
      } else {
        scrape.types_[name] = std::string(rest.substr(name.size() + 1));
      }
      continue;
    }
    if (line.empty() || line[0] == '#') malformed("unexpected line", line);
    const std::size_t end = series_end(line);
    if (end == std::string_view::npos || end >= line.size() || line[end] != ' ') malformed("no value", line);
    const std::string_view series = line.substr(0, end);
    const std::string family = family_of(series.substr(0, series.find('{')), scrape.types_);
    if (family != current_family) malformed("sample outside its family", line);
    if (!described.count(family) || !scrape.types_.count(family)) malformed("no HELP or TYPE", line);
    if (!scrape.samples_.emplace(std::string(series), parse_value(line.substr(end + 1), line)).second) {
      malformed("series written twice", line);
    }
  }
  return scrape;
}

std::optional<double> MetricsScrape::value(std::string_view series) const {
  auto found = samples_.find(series);
  if (found == samples_.end()) return std::nullopt;
  return found->second;
}

std::string MetricsScrape::type(std::string_view family) const {
  auto found = types_.find(family);
  return found == types_.end() ? std::string() : found->second;
}

}  // namespace reg::test
