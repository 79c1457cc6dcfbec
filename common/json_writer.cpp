#include "common/json_writer.hpp"

namespace reg {

JsonWriter& JsonWriter::string(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  separate();
  out_ += '"';
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    out_.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (byte) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:
        out_ += "\\u00";
        out_ += kHex[byte >> 4];
        out_ += kHex[byte & 15];
    }
  }
  out_.append(text.data() + plain, text.size() - plain);
  out_ += '"';
  return *this;
}

}  // namespace reg
