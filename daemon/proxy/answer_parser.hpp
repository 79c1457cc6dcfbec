#pragma once
// A backend's answer as the proxy relays it, parsed by hand: its status
// line, fields and framing (Content-Length, chunks, or the end of the
// connection), and its body moved into the relay buffer. Beast's parser
// spent over a fifth of the instructions of a small proxied request on the
// head alone (a look-up of every field name in its table, a byte at a time,
// and a copy of each field); this one checks eight bytes at a time and keeps
// the head's text as received, so that the client's head is copied from it
// in runs of whole lines (message_head.hpp).
//
// The rules are Beast's (RFC 9112), stricter where RFC 9112 lets a proxy
// refuse: a field folded over several lines (obs-fold, §5.2; Beast joined
// the lines), and a Transfer-Encoding beside Content-Length or with a coding
// that is not a token (§6.1, act_on_field).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>

namespace reg::proxy {

// The status line and fields of an answer, in the order received, over the
// head's text as the backend sent it.
class AnswerHead {
 public:
  struct Field {
    // Set for the names the proxy acts on (framing, Connection, the
    // hop-by-hop ones); field::unknown for every other name.
    boost::beast::http::field name;
    std::size_t line_at;  // where the field's line starts in the text
    std::size_t name_size;
    std::size_t value_at, value_size;
    std::size_t line_end;  // just past the line's CRLF
  };

  // Forgets the last answer; keeps the memory for the next one.
  void clear();

  int status() const { return status_; }
  std::string_view reason() const { return {text_.data() + reason_at_, reason_size_}; }
  const std::vector<Field>& fields() const { return fields_; }
  std::string_view name(const Field& field) const { return {text_.data() + field.line_at, field.name_size}; }
  std::string_view value(const Field& field) const { return {text_.data() + field.value_at, field.value_size}; }
  // `size` bytes of the head's text from `at`: whole lines, CRLFs included.
  std::string_view lines(std::size_t at, std::size_t size) const { return {text_.data() + at, size}; }
  // The value of the first field called `name`; empty when there is none.
  std::string_view operator[](boost::beast::http::field name) const;
  // Whether a Connection field lists `name` (any case).
  bool connection_lists(std::string_view name) const;
  // Set when Content-Length came as several fields or a list of one value
  // ("5, 5"): the client gets it once, as one plain field (RFC 9110 §8.6);
  // many clients refuse the repetition.
  std::optional<std::uint64_t> merged_content_length() const { return merged_content_length_; }

  // Bytes held for the text, the fields and the tokens, for the bound on
  // what a worker keeps: an answer with thousands of fields grows all three.
  std::size_t capacity() const {
    return text_.capacity() + fields_.capacity() * sizeof(Field) +
           connection_tokens_.capacity() * sizeof(connection_tokens_.front());
  }

 private:
  friend class AnswerParser;

  int status_ = 0;
  std::size_t reason_at_ = 0, reason_size_ = 0;
  std::string text_;
  std::vector<Field> fields_;
  // The tokens of the Connection fields, as offsets and sizes in text_,
  // split once rather than for each field they might name.
  std::vector<std::pair<std::size_t, std::size_t>> connection_tokens_;
  std::optional<std::uint64_t> merged_content_length_;
};

// Reads one answer. Errors are Beast's (boost::beast::http::error), so that
// a caller tells them apart as it would Beast's parser's.
class AnswerParser {
 public:
  using error_code = boost::beast::error_code;

  // `head` receives the answer's head; it is cleared now. A head longer
  // than `header_limit` bytes is error::header_limit. The answer to a HEAD
  // request has no body, whatever its fields announce.
  AnswerParser(AnswerHead& head, std::size_t header_limit, bool answers_head_request);

  // Parses what it can of `input` and returns the bytes it used. Until the
  // head is complete nothing is used (error::need_more): the head is parsed
  // whole, once it is all there. put() stops at the end of the head; after
  // it, the body goes into the buffer set_body_buffer() gave, across chunk
  // boundaries, until that is full (error::need_buffer) or the input ends.
  std::size_t put(boost::asio::const_buffer input, error_code& ec);
  // The backend closed the connection: the end of a body framed that way,
  // error::partial_message anywhere else.
  void put_eof(error_code& ec);

  const AnswerHead& head() const { return head_; }
  bool got_some() const { return got_some_; }
  bool is_header_done() const { return framing_ != Framing::head; }
  bool is_done() const { return framing_ == Framing::complete; }
  // The body's length was announced by Content-Length (so the client's copy
  // keeps that framing).
  bool framed_by_length() const { return content_length_.has_value(); }
  // Whether the connection may carry another request once this answer is
  // read: HTTP/1.1 unless it says close, HTTP/1.0 only if it says keep-alive,
  // and never when the body ends with the connection.
  bool keep_alive() const;

  // Where the body parsed next goes: `size` bytes at `data`.
  void set_body_buffer(char* data, std::size_t size) {
    body_data_ = data;
    body_space_ = size;
  }
  // What is left of that buffer.
  std::size_t body_space_left() const { return body_space_; }

 private:
  enum class Framing { head, length, chunk_size, chunk_data, chunk_data_end, trailer, to_eof, complete };

  std::size_t parse_head(const char* data, std::size_t size, error_code& ec);
  std::size_t scan_head(const char* data, std::size_t size, error_code& ec);
  void parse_status_line(std::string_view line, error_code& ec);
  void act_on_field(AnswerHead::Field& field, error_code& ec);
  void choose_framing();
  std::size_t parse_body(const char* data, std::size_t size, error_code& ec);
  std::size_t take_body(const char* data, std::size_t size);
  std::size_t parse_chunk_size(const char* data, std::size_t size, error_code& ec);
  std::size_t parse_trailer(const char* data, std::size_t size, error_code& ec);

  AnswerHead& head_;
  const std::size_t header_limit_;
  const bool answers_head_request_;
  Framing framing_ = Framing::head;
  bool got_some_ = false;
  // Where the search for the head's end goes on when more arrives.
  std::size_t head_scanned_ = 0;
  int version_ = 11;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  bool transfer_coded_ = false;  // a Transfer-Encoding field came
  bool chunked_ = false;
  bool ends_with_connection_ = false;  // the body's end is the connection's
  std::optional<std::uint64_t> content_length_;
  std::uint64_t body_left_ = 0;  // of the announced length, or of the current chunk
  char* body_data_ = nullptr;
  std::size_t body_space_ = 0;
};

}  // namespace reg::proxy
