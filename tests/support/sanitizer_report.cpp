#include "support/sanitizer_report.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace reg::test {
namespace {

// How reports begin: ASan and LSan name themselves, UBSan prints
// "file:line:column: runtime error: …".
constexpr std::string_view kReportMarkers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ": runtime error: "};
constexpr std::size_t kShownBytes = 6000;

}  // namespace

void fail_on_sanitizer_report(std::string_view program, std::string_view output) {
  std::size_t first = std::string_view::npos;
  for (const std::string_view marker : kReportMarkers) first = std::min(first, output.find(marker));
  if (first == std::string_view::npos) return;
  const std::size_t line_start = output.rfind('\n', first);
  const std::size_t from = line_start == std::string_view::npos ? 0 : line_start + 1;
  FAIL_CHECK(program << " printed a sanitizer report:\n" << output.substr(from, kShownBytes));
}

}  // namespace reg::test
