// LineFramer and parse_command on arbitrary bytes, delivered in arbitrary
// chunks: every line the framer yields is within the limit and LF-free, and
// parsing never reads outside the line.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/line_codec.hpp"

namespace {

constexpr std::size_t kMaxLineBytes = 256;

// Chunk sizes come from the input itself, so the fuzzer explores how
// lines straddle reads.
std::size_t next_chunk(const std::uint8_t*& data, std::size_t& size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  ++data;
  --size;
  return chunk < size ? chunk : size;
}

void check_line(std::string_view line) {
  if (line.size() > kMaxLineBytes || line.find('\n') != std::string_view::npos) __builtin_trap();
  if (!reg::is_valid_encoding(line)) return;
  reg::ParsedCommand parsed;
  std::string_view unknown;
  const auto status = reg::parse_command(line, parsed, unknown);
  std::string reply;
  if (status == reg::ParseStatus::ok) {
    for (const auto field : parsed.fields) reply.append(field);
    reg::append_reply(reply, parsed.spec->name, parsed.txid, parsed.spec->usage());
  } else if (status == reg::ParseStatus::usage) {
    reg::append_reply(reply, "ERROR", parsed.txid, parsed.spec->usage());
  } else {
    reg::append_reply(reply, "ERROR", parsed.txid, unknown);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reg::LineFramer framer(kMaxLineBytes);
  while (size > 0) {
    const std::size_t chunk = next_chunk(data, size);
    std::memcpy(framer.prepare(chunk), data, chunk);
    framer.commit(chunk);
    data += chunk;
    size -= chunk;
    std::string_view line;
    for (auto event = framer.next(line); event != reg::LineFramer::Event::need_more; event = framer.next(line)) {
      if (event == reg::LineFramer::Event::line) check_line(line);
    }
  }
  return 0;
}
