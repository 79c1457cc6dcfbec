#pragma once
// Character sets of HTTP's grammar as byte-indexed tables (the parsers look
// a byte up on their hot paths rather than compare it with each member), and
// hexadecimal digits.
#include <array>
#include <string_view>

namespace reg::proxy {

// Letters, digits and the bytes of `others`.
constexpr std::array<bool, 256> alphanumerics_and(std::string_view others) {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (const char c : others) table[static_cast<unsigned char>(c)] = true;
  return table;
}

// The value of a hexadecimal digit (%XX escapes), or -1.
constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace reg::proxy
