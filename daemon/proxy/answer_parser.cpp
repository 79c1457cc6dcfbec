#include "daemon/proxy/answer_parser.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

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
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

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
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
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

bool parse_decimal(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Whether a token equals `lower` (lower-case letters and '-') in any case.
// Setting bit 0x20 lower-cases a letter, and makes no other token
// character a letter or '-'.
bool iequals(std::string_view token, std::string_view lower) {
  if (token.size() != lower.size()) return false;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if ((token[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

// The fields the proxy acts on, by name; field::unknown for the others.
http::field known_field(std::string_view name) {
  switch (name.size()) {
    case 2:
      return iequals(name, "te") ? http::field::te : http::field::unknown;
    case 7:
      if (iequals(name, "upgrade")) return http::field::upgrade;
      return iequals(name, "trailer") ? http::field::trailer : http::field::unknown;
    case 10:
      if (iequals(name, "connection")) return http::field::connection;
      return iequals(name, "keep-alive") ? http::field::keep_alive : http::field::unknown;
    case 14:
      return iequals(name, "content-length") ? http::field::content_length : http::field::unknown;
    case 16:
      return iequals(name, "proxy-connection") ? http::field::proxy_connection : http::field::unknown;
    case 17:
      return iequals(name, "transfer-encoding") ? http::field::transfer_encoding : http::field::unknown;
    case 18:
      return iequals(name, "proxy-authenticate") ? http::field::proxy_authenticate : http::field::unknown;
    case 19:
      return iequals(name, "proxy-authorization") ? http::field::proxy_authorization : http::field::unknown;
    default:
      return http::field::unknown;
  }
}

// Checks one field line of `text` from `at` (a trailer's or the head's):
// a token, a colon, text, CRLF. Returns where the colon is, or npos.
std::size_t check_field_line(std::string_view text, std::size_t at, std::size_t line_end) {
  std::size_t colon = at;
  while (colon < line_end && is_token_char(text[colon])) ++colon;
  if (colon == at || colon == line_end || text[colon] != ':') return std::string_view::npos;
  return colon;
}

// Where the CRLF that ends the line at `at` is, or npos when a control
// character comes first (a bare CR or LF among them) or the text ends.
std::size_t line_end_of(std::string_view text, std::size_t at) {
  const char* const end = text.data() + text.size();
  const char* const stop = skip_text(text.data() + at, end);
  if (end - stop < 2 || stop[0] != '\r' || stop[1] != '\n') return std::string_view::npos;
  return static_cast<std::size_t>(stop - text.data());
}

}  // namespace

void AnswerHead::clear() {
  status_ = 0;
  reason_at_ = 0;
  reason_size_ = 0;
  text_.clear();
  fields_.clear();
  connection_tokens_.clear();
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
  const std::string_view input(data, size);
  // Search where the last call stopped, minus what could be the start of the end.
  const std::size_t from = head_scanned_ >= kEndOfHead.size() ? head_scanned_ - (kEndOfHead.size() - 1) : 0;
  const std::size_t end = input.find(kEndOfHead, from);
  if (end == std::string_view::npos) {
    head_scanned_ = size;
    ec = size >= header_limit_ ? http::error::header_limit : http::error::need_more;
    return 0;
  }
  const std::size_t head_size = end + kEndOfHead.size();
  if (head_size > header_limit_) {
    ec = http::error::header_limit;
    return 0;
  }
  head_.text_.assign(data, head_size);
  const std::string_view text = head_.text_;

  const std::size_t status_end = line_end_of(text, 0);
  if (status_end == std::string_view::npos) {
    ec = http::error::bad_reason;
    return 0;
  }
  parse_status_line(text.substr(0, status_end), ec);
  if (ec) return 0;
  std::size_t line_at = status_end + kCrlf.size();
  while (line_at < end + kCrlf.size()) {
    // A line that starts with a blank continues the last one (obs-fold).
    if (is_blank(text[line_at])) {
      ec = http::error::bad_value;
      return 0;
    }
    const std::size_t line_end = line_end_of(text, line_at);
    if (line_end == std::string_view::npos) {
      ec = http::error::bad_value;
      return 0;
    }
    const std::size_t colon = check_field_line(text, line_at, line_end);
    if (colon == std::string_view::npos) {
      ec = http::error::bad_field;
      return 0;
    }
    add_field(line_at, colon, line_end + kCrlf.size(), ec);
    if (ec) return 0;
    line_at = line_end + kCrlf.size();
  }
  choose_framing();
  return head_size;
}

void AnswerParser::parse_status_line(std::string_view line, error_code& ec) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  // "HTTP/" DIGIT "." DIGIT SP 3DIGIT SP reason
  if (line.size() < 8 || !line.starts_with("HTTP/") || !digit(line[5]) || line[6] != '.' || !digit(line[7])) {
    ec = http::error::bad_version;
    return;
  }
  version_ = (line[5] - '0') * 10 + (line[7] - '0');
  if (line.size() < 13 || line[8] != ' ' || !digit(line[9]) || !digit(line[10]) || !digit(line[11]) || line[12] != ' ') {
    ec = http::error::bad_status;
    return;
  }
  head_.status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  head_.reason_at_ = 13;
  head_.reason_size_ = line.size() - 13;
}

void AnswerParser::add_field(std::size_t line_at, std::size_t colon_at, std::size_t line_end, error_code& ec) {
  const std::string_view text = head_.text_;
  const std::string_view value = trim_blanks(text.substr(colon_at + 1, line_end - kCrlf.size() - colon_at - 1));
  AnswerHead::Field field{known_field(text.substr(line_at, colon_at - line_at)),
                          line_at,
                          colon_at - line_at,
                          static_cast<std::size_t>(value.data() - text.data()),
                          value.size(),
                          line_end};
  if (field.name != http::field::unknown) act_on_field(field, ec);
  head_.fields_.push_back(field);
}

// Connection, Content-Length and Transfer-Encoding, by Beast's rules (two
// lengths that differ are refused; chunks frame the body only when
// "chunked" is the last coding of all Transfer-Encoding fields and comes
// once), and stricter: a length and any transfer coding together are
// refused, where Beast took the length after a coding other than chunked.
// RFC 9112 §6.1 calls that pair a possible attempt at response splitting,
// to be handled as an error.
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
        if (iequals(token, "close")) connection_close_ = true;
        if (iequals(token, "keep-alive")) connection_keep_alive_ = true;
        if (field.name == http::field::connection) {
          head_.connection_tokens_.emplace_back(static_cast<std::size_t>(token.data() - head_.text_.data()),
                                                token.size());
        }
      });
      return;
    case http::field::content_length:
      if (transfer_coded_) {
        ec = http::error::bad_content_length;
        return;
      }
      for_each_element(value, [&](std::string_view element) {
        std::uint64_t length = 0;
        if (ec) return;
        if (!parse_decimal(element, length) || (content_length_ && *content_length_ != length)) {
          ec = http::error::bad_content_length;
          return;
        }
        content_length_ = length;
      });
      return;
    case http::field::transfer_encoding: {
      if (content_length_) {
        ec = http::error::bad_transfer_encoding;
        return;
      }
      transfer_coded_ = true;
      for_each_element(value, [&](std::string_view coding) {
        if (coding.empty()) return;
        last_coding_chunked_ = is_token(coding) && iequals(coding, "chunked");
        if (last_coding_chunked_) ++chunked_codings_;
      });
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
  } else if (last_coding_chunked_ && chunked_codings_ == 1) {
    framing_ = Framing::chunk_size;
  } else {
    framing_ = Framing::to_eof;
    ends_with_connection_ = true;
  }
  head_scanned_ = 0;
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
  std::uint64_t chunk_size = 0;
  std::size_t digits = 0;
  for (; digits < line_end && hex_digit(input[digits]) >= 0; ++digits) {
    if (chunk_size >> 60 != 0) {
      ec = http::error::bad_chunk;
      return 0;
    }
    chunk_size = chunk_size * 16 + static_cast<std::uint64_t>(hex_digit(input[digits]));
  }
  const std::string_view rest = input.substr(digits, line_end - digits);
  const bool extensions_ok = rest.empty() || ((is_blank(rest.front()) || rest.front() == ';') &&
                                              skip_text(rest.data(), rest.data() + rest.size()) ==
                                                  rest.data() + rest.size());
  if (digits == 0 || !extensions_ok) {
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
  const std::string_view input(data, size);
  if (input.starts_with(kCrlf)) {
    framing_ = Framing::complete;
    return kCrlf.size();
  }
  const std::size_t from = head_scanned_ >= kEndOfHead.size() ? head_scanned_ - (kEndOfHead.size() - 1) : 0;
  const std::size_t end = input.find(kEndOfHead, from);
  if (end == std::string_view::npos) {
    head_scanned_ = size;
    ec = size >= kChunkLineLimit ? http::error::bad_chunk : http::error::need_more;
    return 0;
  }
  const std::size_t trailer_size = end + kEndOfHead.size();
  if (trailer_size > kChunkLineLimit) {
    ec = http::error::bad_chunk;
    return 0;
  }
  for (std::size_t line_at = 0; line_at < end + kCrlf.size();) {
    const std::size_t line_end = line_end_of(input, line_at);
    if (is_blank(input[line_at]) || line_end == std::string_view::npos ||
        check_field_line(input, line_at, line_end) == std::string_view::npos) {
      ec = http::error::bad_chunk;
      return 0;
    }
    line_at = line_end + kCrlf.size();
  }
  framing_ = Framing::complete;
  return trailer_size;
}

}  // namespace reg::proxy
