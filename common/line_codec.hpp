#pragma once
// The framing and field rules of PROTOCOL.md §1: lines, the line limit with
// resynchronisation, encoding checks, fixed arity with free-text last fields,
// transaction ids and the trailing `compressed` flag.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/command_table.hpp"

namespace reg {

// Cuts a byte stream into lines. Bytes are written straight into its buffer
// (prepare/commit) so the server copies each byte once.
class LineFramer {
 public:
  enum class Event { line, too_long, need_more };

  explicit LineFramer(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  char* prepare(std::size_t bytes);
  void commit(std::size_t bytes);
  // Frees the buffer when no byte of a line is waiting in it.
  void release_if_empty();

  // `line` (without LF or the CR before it) stays valid until the next
  // prepare(). too_long is reported once per oversized line; its bytes are
  // discarded up to and including the next LF.
  Event next(std::string_view& line);

  std::size_t max_line_bytes() const { return max_line_bytes_; }
  void set_max_line_bytes(std::size_t bytes) { max_line_bytes_ = bytes; }

 private:
  std::size_t max_line_bytes_;
  std::string buffer_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t end_ = 0;    // one past the last committed byte
  std::size_t scanned_ = 0;  // bytes from begin_ already searched for LF
  bool discarding_ = false;
};

// Valid UTF-8 without NUL bytes.
bool is_valid_encoding(std::string_view text);

struct ParsedCommand {
  const CommandSpec* spec = nullptr;
  std::string_view txid;  // "#42" or empty
  // The command's fields after the name, without the txid or the compressed
  // flag; optional trailing fields may be missing.
  std::vector<std::string_view> fields;
  bool compressed = false;

  std::string_view field(std::size_t index) const {
    return index < fields.size() ? fields[index] : std::string_view{};
  }
};

enum class ParseStatus { ok, unknown_command, usage };

// Splits and arity-checks one line (already known to be well encoded). On
// unknown_command `unknown_name` is set; txid is filled whenever one is seen,
// so even an error reply can carry it.
ParseStatus parse_command(std::string_view line, ParsedCommand& out, std::string_view& unknown_name);

// Appends "CODE[|#txid][|payload]\n".
void append_reply(std::string& out, std::string_view code, std::string_view txid,
                  std::string_view payload = {});
std::string format_reply(std::string_view code, std::string_view txid, std::string_view payload = {});

}  // namespace reg
