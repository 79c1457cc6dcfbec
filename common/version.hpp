#pragma once
// The project's one version number (project() in CMakeLists.txt). It lives in
// one generated object, so a new version rebuilds one file, and a build of the
// same objects under another version (the package upgrade test) relinks only.
#include <string>

namespace reg {

const std::string& version();

}  // namespace reg
