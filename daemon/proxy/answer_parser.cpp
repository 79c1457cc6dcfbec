#include "daemon/proxy/answer_parser.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <limits>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include "daemon/proxy/character_table.hpp"

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;
using error_code = boost::beast::error_code;

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kEndOfHead = "\r\n\r\n";
// The longest chunk-size line (with its extensions) and trailer section
// taken: both are framing the client never sees.
constexpr std::size_t kChunkLineLimit = 4096;

// RFC 9110 §5.6.2: tchar.
constexpr std::array<bool, 256> kTokenChars = alphanumerics_and("!#$%&'*+-.^_`|~");

bool is_token_char(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

// What a field value or reason phrase may hold: anything but control
// characters, horizontal tab aside.
bool is_text(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 0x20 && byte != 0x7f) || byte == '\t';
}

// The first byte of [p, end) that is not text, or end. Eight bytes at a
// time: a word has a byte below n where (x - n * ones) & ~x & highs has its
// bit set ("Bit Twiddling Hacks"); bits above a true one may be false, so
// the lowest set bit names the first byte to look at.
const char* skip_text(const char* p, const char* end) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
    const std::uint64_t del_bits = word ^ (ones * 0x7f);
    const std::uint64_t del = (del_bits - ones) & ~del_bits & highs;
    const std::uint64_t flagged = below_space | del;
    if (flagged == 0) {
      p += 8;
      continue;
    }
    p += std::countr_zero(flagged) / 8;
    if (*p != '\t') return p;
    ++p;
  }
  while (p < end && is_text(*p)) ++p;
  return p;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

bool is_token(std::string_view text) {
  bool all_token_chars = true;
  for (const char c : text) all_token_chars &= is_token_char(c);
  return all_token_chars && !text.empty();
}

// Calls `each` with every element of a comma-separated list (RFC 9110
// §5.6.1), blanks trimmed, empty elements included.
template <class Each>
void for_each_element(std::string_view list, Each&& each) {
  for (;;) {
    const std::size_t comma = list.find(',');
    each(trim_blanks(list.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// A whole decimal or hexadecimal number, in range; no sign, no blanks.
bool parse_number(std::string_view text, std::uint64_t& value, int base) {
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value, base);
  return error == std::errc() && stop == end;
}

// Whether a token equals `lower` (lower-case letters and '-') in any case,
// eight bytes at a time, the last word overlapping the one before. Setting
// bit 0x20 lower-cases a letter, and makes no other token character a
// letter or '-'; the name says it takes tokens only.
bool token_is(std::string_view token, std::string_view lower) {
  const std::size_t size = token.size();
  if (size != lower.size()) return false;
  if (size < 8) {
    for (std::size_t i = 0; i < size; ++i) {
      if ((token[i] | 0x20) != lower[i]) return false;
    }
    return true;
  }
  const auto differs_at = [&](std::size_t at) {
    std::uint64_t word, expected;
    std::memcpy(&word, token.data() + at, sizeof word);
    std::memcpy(&expected, lower.data() + at, sizeof expected);
    return (word | 0x2020202020202020ULL) != expected;
  };
  for (std::size_t at = 0; at + 8 < size; at += 8) {
    if (differs_at(at)) return false;
  }
  return !differs_at(size - 8);
}

// The fields the proxy acts on, by name; field::unknown for the others.
http::field known_field(std::string_view name) {
  switch (name.size()) {
    case 2:
      return token_is(name, "te") ? http::field::te : http::field::unknown;
    case 7:
      if (token_is(name, "upgrade")) return http::field::upgrade;
      return token_is(name, "trailer") ? http::field::trailer : http::field::unknown;
    case 10:
      if (token_is(name, "connection")) return http::field::connection;
      return token_is(name, "keep-alive") ? http::field::keep_alive : http::field::unknown;
    case 14:
      return token_is(name, "content-length") ? http::field::content_length : http::field::unknown;
    case 16:
      return token_is(name, "proxy-connection") ? http::field::proxy_connection : http::field::unknown;
    case 17:
      return token_is(name, "transfer-encoding") ? http::field::transfer_encoding : http::field::unknown;
    case 18:
      return token_is(name, "proxy-authenticate") ? http::field::proxy_authenticate : http::field::unknown;
    case 19:
      return token_is(name, "proxy-authorization") ? http::field::proxy_authorization : http::field::unknown;
    default:
      return http::field::unknown;
  }
}

// One field line (RFC 9112 §5): a name, a colon, the value between
// optional blanks, CRLF.
struct FieldLine {
  enum class Scan { line, incomplete, bad_field, bad_value } scan;
  const char* colon = nullptr;
  const char* value_begin = nullptr;
  const char* value_end = nullptr;
  const char* next = nullptr;  // past the CRLF
};

// The field line at `p`, whose text may go on past `end`. A line that
// starts with a blank would continue the one before (obs-fold).
FieldLine scan_field_line(const char* p, const char* end) {
  using Scan = FieldLine::Scan;
  if (is_blank(*p)) return {Scan::bad_value};
  const char* q = p;
  while (q < end && is_token_char(*q)) ++q;
  if (q == end) return {Scan::incomplete};
  if (q == p || *q != ':') return {Scan::bad_field};
  FieldLine line{Scan::line, q};
  ++q;
  while (q < end && is_blank(*q)) ++q;
  line.value_begin = q;
  q = skip_text(q, end);
  if (end - q < 2) return {Scan::incomplete};
  if (q[0] != '\r' || q[1] != '\n') return {Scan::bad_value};
  line.value_end = q;
  while (line.value_end > line.value_begin && is_blank(line.value_end[-1])) --line.value_end;
  line.next = q + 2;
  return line;
}

}  // namespace

void AnswerHead::clear() {
  status_ = 0;
  reason_at_ = 0;
  reason_size_ = 0;
  text_.clear();
  fields_.clear();
  connection_tokens_.clear();
  merged_content_length_.reset();
}

bool AnswerHead::connection_lists(std::string_view name) const {
  return std::any_of(connection_tokens_.begin(), connection_tokens_.end(), [&](const auto& token) {
    return boost::beast::iequals(std::string_view(text_.data() + token.first, token.second), name);
  });
}

std::string_view AnswerHead::operator[](http::field name) const {
  const auto found =
      std::find_if(fields_.begin(), fields_.end(), [name](const Field& field) { return field.name == name; });
  return found == fields_.end() ? std::string_view{} : value(*found);
}

AnswerParser::AnswerParser(AnswerHead& head, std::size_t header_limit, bool answers_head_request)
    : head_(head), header_limit_(header_limit), answers_head_request_(answers_head_request) {
  head_.clear();
}

std::size_t AnswerParser::put(boost::asio::const_buffer input, error_code& ec) {
  ec = {};
  const char* const data = static_cast<const char*>(input.data());
  const std::size_t size = input.size();
  if (size > 0) got_some_ = true;
  if (framing_ == Framing::head) return parse_head(data, size, ec);
  return parse_body(data, size, ec);
}

std::size_t AnswerParser::parse_head(const char* data, std::size_t size, error_code& ec) {
  std::size_t scanned = std::min(size, header_limit_);
  if (head_scanned_ > 0) {
    // A head that came in pieces is parsed once its end is there, and that
    // end is searched for where the last search stopped (minus what could
    // be its start): a head that arrives a byte at a time is not parsed
    // again for every byte.
    const std::size_t from = head_scanned_ >= kEndOfHead.size() ? head_scanned_ - (kEndOfHead.size() - 1) : 0;
    const std::size_t end = std::string_view(data, scanned).find(kEndOfHead, from);
    if (end == std::string_view::npos) {
      head_scanned_ = scanned;
      ec = size >= header_limit_ ? http::error::header_limit : http::error::need_more;
      return 0;
    }
    scanned = end + kEndOfHead.size();
  }
  const std::size_t head_size = scan_head(data, scanned, ec);
  if (ec == http::error::need_more) {
    head_scanned_ = scanned;
    if (size >= header_limit_) ec = http::error::header_limit;
  }
  if (ec) return 0;
  head_.text_.assign(data, head_size);
  for (AnswerHead::Field& field : head_.fields_) {
    field.name = known_field(head_.name(field));
    if (field.name != http::field::unknown) act_on_field(field, ec);
    if (ec) return 0;
  }
  choose_framing();
  return head_size;
}

// The status line and the field lines of [data, data + size), into head_
// as offsets from data; the head's size, or error::need_more when its end
// is not there.
std::size_t AnswerParser::scan_head(const char* data, std::size_t size, error_code& ec) {
  using Scan = FieldLine::Scan;
  const char* const end = data + size;
  const char* p = skip_text(data, end);
  if (end - p < 2) {
    ec = http::error::need_more;
    return 0;
  }
  if (p[0] != '\r' || p[1] != '\n') {
    ec = http::error::bad_reason;
    return 0;
  }
  parse_status_line({data, static_cast<std::size_t>(p - data)}, ec);
  if (ec) return 0;
  p += kCrlf.size();
  head_.fields_.clear();
  for (;;) {
    if (end - p < 2) {
      ec = http::error::need_more;
      return 0;
    }
    if (p[0] == '\r' && p[1] == '\n') return static_cast<std::size_t>(p + kCrlf.size() - data);
    const FieldLine line = scan_field_line(p, end);
    switch (line.scan) {
      case Scan::line:
        break;
      case Scan::incomplete:
        ec = http::error::need_more;
        return 0;
      case Scan::bad_field:
        ec = http::error::bad_field;
        return 0;
      case Scan::bad_value:
        ec = http::error::bad_value;
        return 0;
    }
    const auto offset = [data](const char* at) { return static_cast<std::size_t>(at - data); };
    head_.fields_.push_back(AnswerHead::Field{http::field::unknown, offset(p), offset(line.colon) - offset(p),
                                              offset(line.value_begin),
                                              static_cast<std::size_t>(line.value_end - line.value_begin),
                                              offset(line.next)});
    p = line.next;
  }
}

void AnswerParser::parse_status_line(std::string_view line, error_code& ec) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  // "HTTP/1.0" or "HTTP/1.1", SP, three digits, SP, the reason phrase.
  if (line.size() < 9 || !line.starts_with("HTTP/1.") || (line[7] != '0' && line[7] != '1') || line[8] != ' ') {
    ec = http::error::bad_version;
    return;
  }
  version_ = 10 + (line[7] - '0');
  if (line.size() < 13 || !digit(line[9]) || !digit(line[10]) || !digit(line[11]) || line[12] != ' ') {
    ec = http::error::bad_status;
    return;
  }
  head_.status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  head_.reason_at_ = 13;
  head_.reason_size_ = line.size() - 13;
}

// Connection, Content-Length and Transfer-Encoding, by Beast's rules: two
// lengths that differ are refused, and so is a Transfer-Encoding after one
// that ended in chunked; chunks frame the body when a Transfer-Encoding's
// only "chunked" is its last coding. Stricter than Beast: a length and any
// transfer coding together are refused (Beast took the length after a coding
// other than chunked; RFC 9112 §6.1 calls the pair a possible attempt at
// response splitting, to be handled as an error), and so is a coding that is
// not a bare token (Beast stopped reading the list there).
void AnswerParser::act_on_field(AnswerHead::Field& field, error_code& ec) {
  const std::string_view value = head_.value(field);
  switch (field.name) {
    case http::field::connection:
    case http::field::proxy_connection:
      for_each_element(value, [&](std::string_view token) {
        if (token.empty() || ec) return;
        if (!is_token(token)) {
          ec = http::error::bad_value;
          return;
        }
        if (token_is(token, "close")) connection_close_ = true;
        if (token_is(token, "keep-alive")) connection_keep_alive_ = true;
        if (field.name == http::field::connection) {
          head_.connection_tokens_.emplace_back(static_cast<std::size_t>(token.data() - head_.text_.data()),
                                                token.size());
        }
      });
      return;
    case http::field::content_length: {
      if (transfer_coded_) {
        ec = http::error::bad_content_length;
        return;
      }
      const bool repeated = content_length_.has_value();
      int elements = 0;
      for_each_element(value, [&](std::string_view element) {
        std::uint64_t length = 0;
        if (ec) return;
        if (!parse_number(element, length, 10) || (content_length_ && *content_length_ != length)) {
          ec = http::error::bad_content_length;
          return;
        }
        ++elements;
        content_length_ = length;
      });
      if (repeated || elements > 1) head_.merged_content_length_ = content_length_;
      return;
    }
    case http::field::transfer_encoding: {
      if (content_length_ || chunked_) {
        ec = http::error::bad_transfer_encoding;
        return;
      }
      transfer_coded_ = true;
      int chunked_codings = 0;
      bool last_is_chunked = false;
      for_each_element(value, [&](std::string_view coding) {
        if (coding.empty() || ec) return;
        if (!is_token(coding)) {
          ec = http::error::bad_transfer_encoding;
          return;
        }
        last_is_chunked = token_is(coding, "chunked");
        if (last_is_chunked) ++chunked_codings;
      });
      chunked_ = last_is_chunked && chunked_codings == 1;
      return;
    }
    default:
      return;
  }
}

// RFC 9112 §6.3, as Beast: no body after a HEAD request, a 1xx, 204 or 304
// whatever the fields say; then Content-Length, chunks, or the end of the
// connection.
void AnswerParser::choose_framing() {
  const int status = head_.status_;
  if (answers_head_request_ || status / 100 == 1 || status == 204 || status == 304) {
    framing_ = Framing::complete;
  } else if (content_length_) {
    body_left_ = *content_length_;
    framing_ = body_left_ > 0 ? Framing::length : Framing::complete;
  } else if (chunked_) {
    framing_ = Framing::chunk_size;
  } else {
    framing_ = Framing::to_eof;
    ends_with_connection_ = true;
  }
}

bool AnswerParser::keep_alive() const {
  if (ends_with_connection_ || connection_close_) return false;
  return version_ >= 11 || connection_keep_alive_;
}

void AnswerParser::put_eof(error_code& ec) {
  ec = {};
  if (framing_ == Framing::to_eof) {
    framing_ = Framing::complete;
  } else if (framing_ != Framing::complete) {
    ec = http::error::partial_message;
  }
}

std::size_t AnswerParser::take_body(const char* data, std::size_t size) {
  const std::size_t taken = std::min(size, body_space_);
  if (taken > 0) std::memcpy(body_data_, data, taken);
  body_data_ += taken;
  body_space_ -= taken;
  return taken;
}

std::size_t AnswerParser::parse_body(const char* data, std::size_t size, error_code& ec) {
  std::size_t used = 0;
  while (used < size && framing_ != Framing::complete) {
    const char* const at = data + used;
    const std::size_t left = size - used;
    std::size_t step = 0;
    switch (framing_) {
      case Framing::to_eof:
        step = take_body(at, left);
        break;
      case Framing::length:
      case Framing::chunk_data:
        step = take_body(at, static_cast<std::size_t>(std::min<std::uint64_t>(left, body_left_)));
        body_left_ -= step;
        if (body_left_ == 0) framing_ = framing_ == Framing::length ? Framing::complete : Framing::chunk_data_end;
        break;
      case Framing::chunk_data_end:
        if (left < kCrlf.size()) {
          ec = http::error::need_more;
          return used;
        }
        if (at[0] != '\r' || at[1] != '\n') {
          ec = http::error::bad_chunk;
          return used;
        }
        step = kCrlf.size();
        framing_ = Framing::chunk_size;
        break;
      case Framing::chunk_size:
        step = parse_chunk_size(at, left, ec);
        break;
      case Framing::trailer:
        step = parse_trailer(at, left, ec);
        break;
      case Framing::head:
      case Framing::complete:
        break;
    }
    used += step;
    if (ec) return used;
    if (step == 0) {
      ec = http::error::need_buffer;
      return used;
    }
  }
  return used;
}

// chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1): hexadecimal digits, then
// extensions, which are only checked to be text, up to the CRLF.
std::size_t AnswerParser::parse_chunk_size(const char* data, std::size_t size, error_code& ec) {
  const std::string_view input(data, std::min(size, kChunkLineLimit));
  const std::size_t line_end = input.find(kCrlf);
  if (line_end == std::string_view::npos) {
    ec = size >= kChunkLineLimit ? http::error::bad_chunk : http::error::need_more;
    return 0;
  }
  const std::size_t digits = std::min(input.find_first_not_of("0123456789abcdefABCDEF"), line_end);
  std::uint64_t chunk_size = 0;
  if (!parse_number(input.substr(0, digits), chunk_size, 16)) {
    ec = http::error::bad_chunk;
    return 0;
  }
  const std::string_view rest = input.substr(digits, line_end - digits);
  const bool extensions_ok = rest.empty() || ((is_blank(rest.front()) || rest.front() == ';') &&
                                              skip_text(rest.data(), rest.data() + rest.size()) ==
                                                  rest.data() + rest.size());
  if (!extensions_ok) {
    ec = http::error::bad_chunk;
    return 0;
  }
  body_left_ = chunk_size;
  framing_ = chunk_size > 0 ? Framing::chunk_data : Framing::trailer;
  return line_end + kCrlf.size();
}

// The trailer section after the last chunk: field lines up to an empty
// line, checked and dropped (the client's copy ends with its own last chunk).
std::size_t AnswerParser::parse_trailer(const char* data, std::size_t size, error_code& ec) {
  const char* const end = data + std::min(size, kChunkLineLimit);
  for (const char* p = data;;) {
    if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
      framing_ = Framing::complete;
      return static_cast<std::size_t>(p + kCrlf.size() - data);
    }
    const FieldLine line = end - p < 2 ? FieldLine{FieldLine::Scan::incomplete} : scan_field_line(p, end);
    if (line.scan == FieldLine::Scan::incomplete) {
      ec = size >= kChunkLineLimit ? http::error::bad_chunk : http::error::need_more;
      return 0;
    }
    if (line.scan != FieldLine::Scan::line) {
      ec = http::error::bad_chunk;
      return 0;
    }
    p = line.next;
  }
}

}  // namespace reg::proxy
