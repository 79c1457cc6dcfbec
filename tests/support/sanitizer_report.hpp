#pragma once
// In the sanitizer build (`make sanitize`) regd and regctl print
// AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer reports on
// stderr. A test whose child printed one fails, even when what the test
// checks came out right: a leak found at exit or undefined behaviour that
// happened to do no harm is still a bug.
#include <string_view>

namespace reg::test {

// Records a failed check in the running test, with the report, when
// `output` (a child's stderr) holds one.
void fail_on_sanitizer_report(std::string_view program, std::string_view output);

}  // namespace reg::test
