#pragma once
// A backend's answer as the proxy relays it: Beast's HTTP/1.1 parsing (its
// validation, framing and chunk decoding) without Beast's field container.
// http::parser put every field in an allocation of its own inside a tree;
// the proxy then erased the hop-by-hop ones and serialised the rest. That
// was over a third of the instructions of a small proxied request. Here the
// fields are offsets into one text that the worker recycles with its relay
// buffers, and the client's head is written from them in one pass
// (message_head.hpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>

namespace reg::proxy {

// The status line and fields of an answer, in the order received.
class AnswerHead {
 public:
  struct Field {
    boost::beast::http::field name;  // field::unknown for names Beast does not know
    std::size_t name_at, name_size, value_at, value_size;  // in the head's text
  };

  // Forgets the last answer; keeps the memory for the next one.
  void clear();
  void set_status(int status, std::string_view reason);
  void add(boost::beast::http::field name, std::string_view name_text, std::string_view value);

  int status() const { return status_; }
  std::string_view reason() const { return {text_.data(), reason_size_}; }
  const std::vector<Field>& fields() const { return fields_; }
  std::string_view name(const Field& field) const { return {text_.data() + field.name_at, field.name_size}; }
  std::string_view value(const Field& field) const { return {text_.data() + field.value_at, field.value_size}; }
  // The value of the first field called `name`; empty when there is none.
  std::string_view operator[](boost::beast::http::field name) const;
  // Whether a Connection field lists `name` (any case).
  bool connection_lists(std::string_view name) const;

  // Bytes held for the text, the fields and the tokens, for the bound on
  // what a worker keeps: an answer with thousands of fields grows all three.
  std::size_t capacity() const {
    return text_.capacity() + fields_.capacity() * sizeof(Field) +
           connection_tokens_.capacity() * sizeof(connection_tokens_.front());
  }

 private:
  int status_ = 0;
  std::size_t reason_size_ = 0;  // the reason phrase opens text_
  std::string text_;
  std::vector<Field> fields_;
  // The tokens of the Connection fields, as offsets and sizes in text_,
  // split once rather than for each field they might name.
  std::vector<std::pair<std::size_t, std::size_t>> connection_tokens_;
};

class AnswerParser final : public boost::beast::http::basic_parser<false> {
 public:
  // `head` receives the answer's head; it is cleared now.
  explicit AnswerParser(AnswerHead& head);

  const AnswerHead& head() const { return head_; }

  // Where the body parsed next goes, as with http::buffer_body: `size` bytes
  // at `data`. A put() that fills them stops with error::need_buffer.
  void set_body_buffer(char* data, std::size_t size) {
    body_data_ = data;
    body_space_ = size;
  }
  // What is left of that buffer.
  std::size_t body_space_left() const { return body_space_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override { return take_body(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return take_body(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  std::size_t take_body(string_view body, error_code& ec);

  AnswerHead& head_;
  char* body_data_ = nullptr;
  std::size_t body_space_ = 0;
};

}  // namespace reg::proxy
