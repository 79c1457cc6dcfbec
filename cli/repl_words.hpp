#pragma once
// A shell line split into words the way sh splits them for quotes and
// backslashes (no expansion), so a line in `regctl shell` means what the same
// words mean after `regctl` on the command line.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace regctl {

// `headers set ALL X-Note 'a b'` -> {"headers", "set", "ALL", "X-Note", "a b"}.
// An unterminated quote is an error.
reg::Result<std::vector<std::string>> split_shell_words(std::string_view line);

}  // namespace regctl
