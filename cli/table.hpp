#pragma once
// Column-aligned tables. On a terminal they get box borders and a bold header;
// elsewhere plain space-separated columns that `awk` and `column` read.
#include <ostream>
#include <string>
#include <vector>

#include "cli/colour.hpp"

namespace regctl {

struct Cell {
  std::string text;
  Tone tone = Tone::none;
};

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void render(std::ostream& out, const Palette& palette, bool borders) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

// Terminal columns a UTF-8 string takes (one per code point: regctl prints
// no wide characters).
std::size_t display_width(const std::string& text);

}  // namespace regctl
