#include "daemon/proxy/request_parser.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

// What an idle connection keeps of its last request's memory. A head of a
// few kilobytes is common (cookies); a larger one is rare, and thousands of
// idle connections each keeping one would add up.
constexpr std::size_t kKeptTextBytes = 4 * 1024;
constexpr std::size_t kKeptFields = 64;

template <class Container>
void clear_within(Container& container, std::size_t kept_capacity) {
  if (container.capacity() > kept_capacity) {
    Container().swap(container);
  } else {
    container.clear();
  }
}

}  // namespace

void ClientRequest::clear() {
  method_ = http::verb::unknown;
  method_size_ = 0;
  target_size_ = 0;
  version_ = 11;
  clear_within(text_, kKeptTextBytes);
  clear_within(fields_, kKeptFields);
  clear_within(body_, kKeptTextBytes);
}

std::string_view ClientRequest::operator[](http::field name) const {
  const auto found =
      std::find_if(fields_.begin(), fields_.end(), [name](const Field& field) { return field.name == name; });
  return found == fields_.end() ? std::string_view{} : value(*found);
}

std::size_t ClientRequest::count(http::field name) const {
  return static_cast<std::size_t>(
      std::count_if(fields_.begin(), fields_.end(), [name](const Field& field) { return field.name == name; }));
}

std::vector<std::string_view> ClientRequest::values(std::string_view name) const {
  std::vector<std::string_view> found;
  for (const Field& field : fields_) {
    if (boost::beast::iequals(this->name(field), name)) found.push_back(value(field));
  }
  return found;
}

RequestParser::RequestParser(ClientRequest& request) : request_(request) { request_.clear(); }

void RequestParser::on_request_impl(http::verb method, string_view method_string, string_view target, int version,
                                    error_code&) {
  request_.method_ = method;
  request_.version_ = static_cast<unsigned>(version);
  request_.text_.assign(method_string);
  request_.text_ += target;
  request_.method_size_ = method_string.size();
  request_.target_size_ = target.size();
}

void RequestParser::on_field_impl(http::field name, string_view name_string, string_view value, error_code&) {
  // The fields of a chunked body's trailer are dropped: nothing says they are
  // safe to forward as head fields (RFC 9110 §6.5.1).
  if (is_header_done()) return;
  const std::size_t name_at = request_.text_.size();
  request_.text_ += name_string;
  request_.text_ += value;
  request_.fields_.push_back(
      ClientRequest::Field{name, name_at, name_string.size(), name_at + name_string.size(), value.size()});
}

// As http::string_body's reader: the announced length at once (the session
// refused it beyond the route's max_body before reading the body).
void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
  if (content_length) request_.body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body_ += body;
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body_ += body;
  return body.size();
}

}  // namespace reg::proxy
