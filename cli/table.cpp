#include "cli/table.hpp"

#include <algorithm>

namespace regctl {
namespace {

std::string repeated(std::string_view piece, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text += piece;
  return text;
}

std::string padded(const std::string& text, std::size_t width) {
  return text + std::string(width - std::min(width, display_width(text)), ' ');
}

}  // namespace

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(),
                                                [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void Table::render(std::ostream& out, const Palette& palette, bool borders) const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t column = 0; column < headers_.size(); ++column) widths[column] = display_width(headers_[column]);
  for (const auto& row : rows_)
    for (std::size_t column = 0; column < row.size() && column < widths.size(); ++column)
      widths[column] = std::max(widths[column], display_width(row[column].text));

  const auto rule = [&](std::string_view left, std::string_view middle, std::string_view right) {
    std::string line(left);
    for (std::size_t column = 0; column < widths.size(); ++column) {
      line += repeated("─", widths[column] + 2);
      line += column + 1 < widths.size() ? middle : right;
    }
    out << palette.paint(line, Tone::dim) << '\n';
  };
  const auto line = [&](const std::vector<Cell>& cells, bool header) {
    std::string text = borders ? palette.paint("│", Tone::dim) + " " : "";
    for (std::size_t column = 0; column < widths.size(); ++column) {
      const Cell empty;
      const Cell& cell = column < cells.size() ? cells[column] : empty;
      const bool last = column + 1 == widths.size();
      // Trailing spaces on the last column only make noise in pipes.
      const std::string shown = last && !borders ? cell.text : padded(cell.text, widths[column]);
      text += palette.paint(shown, header ? Tone::bold : cell.tone);
      if (borders) text += " " + palette.paint("│", Tone::dim) + (last ? "" : " ");
      else if (!last) text += "   ";
    }
    out << text << '\n';
  };

  std::vector<Cell> header_cells;
  for (const auto& header : headers_) header_cells.push_back({header});
  if (borders) rule("┌", "┬", "┐");
  line(header_cells, true);
  if (borders) rule("├", "┼", "┤");
  for (const auto& row : rows_) line(row, false);
  if (borders) rule("└", "┴", "┘");
}

}  // namespace regctl
