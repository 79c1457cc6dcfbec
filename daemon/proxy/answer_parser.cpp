#include "daemon/proxy/answer_parser.hpp"

#include <algorithm>
#include <cstring>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace reg::proxy {

namespace http = boost::beast::http;

void AnswerHead::clear() {
  status_ = 0;
  reason_size_ = 0;
  text_.clear();
  fields_.clear();
  connection_tokens_.clear();
}

void AnswerHead::set_status(int status, std::string_view reason) {
  status_ = status;
  text_.assign(reason);
  reason_size_ = reason.size();
}

void AnswerHead::add(http::field name, std::string_view name_text, std::string_view value) {
  const std::size_t name_at = text_.size();
  text_ += name_text;
  text_ += value;
  const std::size_t value_at = name_at + name_text.size();
  fields_.push_back(Field{name, name_at, name_text.size(), value_at, value.size()});
  if (name != http::field::connection) return;
  const std::string_view stored(text_.data() + value_at, value.size());
  for (const auto token : http::token_list{stored}) {
    connection_tokens_.emplace_back(value_at + static_cast<std::size_t>(token.data() - stored.data()), token.size());
  }
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

AnswerParser::AnswerParser(AnswerHead& head) : head_(head) { head_.clear(); }

void AnswerParser::on_response_impl(int code, string_view reason, int /*version*/, error_code&) {
  // The version is the parser's (keep_alive() reads it); the client always gets HTTP/1.1.
  head_.set_status(code, reason);
}

void AnswerParser::on_field_impl(http::field name, string_view name_string, string_view value, error_code&) {
  head_.add(name, name_string, value);
}

// As http::buffer_body's reader: copy what fits, and ask for a new buffer
// when the body goes on past it.
std::size_t AnswerParser::take_body(string_view body, error_code& ec) {
  if (body_data_ == nullptr) {
    ec = http::error::need_buffer;
    return 0;
  }
  const std::size_t taken = std::min(body.size(), body_space_);
  if (taken > 0) std::memcpy(body_data_, body.data(), taken);
  body_data_ += taken;
  body_space_ -= taken;
  if (taken < body.size()) ec = http::error::need_buffer;
  return taken;
}

}  // namespace reg::proxy
