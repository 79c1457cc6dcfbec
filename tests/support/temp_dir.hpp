#pragma once
// A private directory under /tmp that lives as long as the object: every regd a
// test starts gets its own, so parallel tests never share state or logs.
#include <filesystem>
#include <string_view>

namespace reg::test {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "regd-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to a file in the directory and returns its full path.
  std::filesystem::path write_file(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace reg::test
