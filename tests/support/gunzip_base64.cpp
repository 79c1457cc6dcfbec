#include "support/gunzip_base64.hpp"

#include <zlib.h>

#include <stdexcept>

namespace reg::test {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) throw std::runtime_error("base64 length is not a multiple of 4");
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string bytes;
  unsigned bits = 0;
  int bit_count = 0;
  for (const char c : text) {
    const int value = base64_value(c);
    if (value < 0) throw std::runtime_error(std::string("not a base64 character: ") + c);
    bits = (bits << 6) | static_cast<unsigned>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      bytes.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  return bytes;
}

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  constexpr int gzip_window = 15 + 16;  // +16: expect a gzip header, not raw zlib
  if (inflateInit2(&stream, gzip_window) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  int status = Z_OK;
  while (status == Z_OK) {
    char chunk[16 * 1024];
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  return out;
}

}  // namespace

std::string gunzip_base64(std::string_view text) { return gunzip(base64_decode(text)); }

}  // namespace reg::test
