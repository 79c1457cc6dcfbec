#pragma once
// Character sets of HTTP's grammar as byte-indexed tables: the parsers look
// a byte up on their hot paths rather than compare it with each member.
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

}  // namespace reg::proxy
