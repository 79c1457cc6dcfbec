#pragma once
// Candidate next words for what has been typed so far: the one computation
// behind `regctl __complete` (shell completion scripts) and Tab in `regctl shell`.
#include <string>
#include <vector>

#include "cli/connection_settings.hpp"

namespace regctl {

// `words` are the words typed so far, the last being the one completed (maybe
// empty). `defaults` are the connection settings in effect before any flag in
// `words` (the shell's own flags and its `use` session). Ids come live from
// regd within 1 s; any failure offers nothing.
std::vector<std::string> completion_candidates(const std::vector<std::string>& words, const GlobalFlags& defaults);

}  // namespace regctl
