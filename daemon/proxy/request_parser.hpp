#pragma once
// A client's request as the proxy reads it: Beast's HTTP/1.1 request parsing
// (its validation, framing, chunk decoding and body limit) without Beast's
// field container. http::request_parser put the method, the target and
// every field in allocations of their own, the fields in a tree, and the
// whole message moved on to the backend exchange and was destroyed there:
// about a tenth of the instructions of a small proxied request. Here the
// head is offsets into one text that the connection reuses for its next
// request, and only the body moves on.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace reg::proxy {

// The request line, fields and body of a request, fields in the order received.
class ClientRequest {
 public:
  struct Field {
    boost::beast::http::field name;  // field::unknown for names Beast does not know
    std::size_t name_at, name_size, value_at, value_size;  // in the request's text
  };

  // Forgets the last request; keeps the memory for the next one, unless a
  // large head grew it.
  void clear();

  boost::beast::http::verb method() const { return method_; }
  std::string_view method_string() const { return {text_.data(), method_size_}; }
  std::string_view target() const { return {text_.data() + method_size_, target_size_}; }
  unsigned version() const { return version_; }
  const std::vector<Field>& fields() const { return fields_; }
  std::string_view name(const Field& field) const { return {text_.data() + field.name_at, field.name_size}; }
  std::string_view value(const Field& field) const { return {text_.data() + field.value_at, field.value_size}; }
  // The value of the first field called `name`; empty when there is none.
  std::string_view operator[](boost::beast::http::field name) const;
  std::size_t count(boost::beast::http::field name) const;
  // The values of the fields called `name` (any case), in order.
  std::vector<std::string_view> values(std::string_view name) const;

  std::string& body() { return body_; }
  const std::string& body() const { return body_; }

 private:
  friend class RequestParser;

  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  std::size_t method_size_ = 0;  // the method opens text_, the target follows
  std::size_t target_size_ = 0;
  unsigned version_ = 11;
  std::string text_;
  std::vector<Field> fields_;
  std::string body_;
};

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // `request` receives the request; it is cleared now.
  explicit RequestParser(ClientRequest& request);

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_string, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  ClientRequest& request_;
};

}  // namespace reg::proxy
