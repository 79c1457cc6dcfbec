#include "common/line_codec.hpp"

#include <cstring>

namespace reg {

char* LineFramer::prepare(std::size_t bytes) {
  if (begin_ > 0 && (begin_ == end_ || begin_ > buffer_.size() / 2)) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < end_ + bytes) buffer_.resize(end_ + bytes);
  return buffer_.data() + end_;
}

void LineFramer::commit(std::size_t bytes) { end_ += bytes; }

void LineFramer::release_if_empty() {
  if (begin_ != end_) return;
  buffer_ = std::string();
  begin_ = end_ = scanned_ = 0;
}

LineFramer::Event LineFramer::next(std::string_view& line) {
  while (true) {
    const char* start = buffer_.data() + begin_;
    const std::size_t available = end_ - begin_;
    const void* lf = std::memchr(start + scanned_, '\n', available - scanned_);
    if (lf == nullptr) {
      if (discarding_) {
        begin_ = end_;
        scanned_ = 0;
        return Event::need_more;
      }
      if (available > max_line_bytes_) {
        // The line is already too long: say so now rather than buffer it all.
        discarding_ = true;
        begin_ = end_;
        scanned_ = 0;
        return Event::too_long;
      }
      scanned_ = available;
      return Event::need_more;
    }
    const std::size_t length = static_cast<const char*>(lf) - start;
    begin_ += length + 1;
    scanned_ = 0;
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (length > max_line_bytes_) return Event::too_long;
    line = std::string_view(start, length);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return Event::line;
  }
}

bool is_valid_encoding(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      if (lead == 0) return false;
      ++i;
      continue;
    }
    std::size_t extra;
    unsigned min_code;
    unsigned code;
    if ((lead & 0xE0) == 0xC0) {
      extra = 1, min_code = 0x80, code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, min_code = 0x800, code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, min_code = 0x10000, code = lead & 0x07;
    } else {
      return false;
    }
    if (i + extra >= size) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (bytes[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid.
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

namespace {

bool is_txid(std::string_view field) { return !field.empty() && field.front() == '#'; }

// The txid follows the session id, or the command name when there is none
// (or when an optional session id was left out: "PING|#7").
bool txid_position(const CommandSpec& spec, std::size_t index, std::string_view field) {
  if (!is_txid(field)) return false;
  if (spec.session == SessionUse::none) return index == 0;
  if (spec.session == SessionUse::optional && index == 0) return true;
  return index == 1;
}

}  // namespace

ParseStatus parse_command(std::string_view line, ParsedCommand& out, std::string_view& unknown_name) {
  out.fields.clear();
  out.txid = {};
  out.compressed = false;

  const std::size_t name_end = line.find('|');
  const std::string_view name = line.substr(0, name_end);
  out.spec = find_command(name);
  std::string_view rest = name_end == std::string_view::npos ? std::string_view{} : line.substr(name_end + 1);
  const bool has_fields = name_end != std::string_view::npos;

  if (out.spec == nullptr) {
    unknown_name = name;
    // Best effort, so the error can still be matched to its request.
    std::size_t index = 0;
    std::string_view scan = rest;
    while (has_fields && index < 2) {
      const std::size_t bar = scan.find('|');
      const std::string_view field = scan.substr(0, bar);
      if (is_txid(field)) {
        out.txid = field;
        break;
      }
      if (bar == std::string_view::npos) break;
      scan.remove_prefix(bar + 1);
      ++index;
    }
    return ParseStatus::unknown_command;
  }

  const CommandSpec& spec = *out.spec;
  const bool free_text = spec.has_free_text();
  const std::size_t field_count = spec.fields.size();
  std::size_t raw_index = 0;  // position counting a txid, for txid_position
  bool more = has_fields;
  while (more) {
    const std::size_t bar = rest.find('|');
    const std::string_view field = rest.substr(0, bar);
    if (out.txid.empty() && txid_position(spec, raw_index, field)) {
      out.txid = field;
    } else if (free_text && out.fields.size() + 1 == field_count) {
      out.fields.push_back(rest);
      break;
    } else {
      out.fields.push_back(field);
      if (out.fields.size() > field_count + 1) return ParseStatus::usage;
    }
    ++raw_index;
    more = bar != std::string_view::npos;
    if (more) rest.remove_prefix(bar + 1);
  }

  if (spec.compressible && !out.fields.empty() && out.fields.back() == "compressed" &&
      out.fields.size() + 1 > spec.min_arity()) {
    out.compressed = true;
    out.fields.pop_back();
  }
  const std::size_t arity = out.fields.size() + 1;
  if (arity < spec.min_arity() || arity > spec.arity()) return ParseStatus::usage;
  return ParseStatus::ok;
}

void append_reply(std::string& out, std::string_view code, std::string_view txid,
                  std::string_view payload) {
  out.append(code);
  if (!txid.empty()) {
    out.push_back('|');
    out.append(txid);
  }
  if (!payload.empty()) {
    out.push_back('|');
    out.append(payload);
  }
  out.push_back('\n');
}

std::string format_reply(std::string_view code, std::string_view txid, std::string_view payload) {
  std::string out;
  append_reply(out, code, txid, payload);
  out.pop_back();
  return out;
}

}  // namespace reg
