#include "daemon/proxy/message_head.hpp"

#include <charconv>

namespace reg::proxy {
namespace {

namespace http = boost::beast::http;

void append_version(std::string& out, unsigned version) {
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
}

void append_fields_and_end(std::string& out, const http::fields& fields) {
  for (const auto& field : fields) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
}

}  // namespace

void append_response_head(std::string& out, const http::response_header<>& response) {
  append_version(out, response.version());
  char status[4];
  const unsigned code = response.result_int();
  status[0] = static_cast<char>('0' + code / 100 % 10);
  status[1] = static_cast<char>('0' + code / 10 % 10);
  status[2] = static_cast<char>('0' + code % 10);
  out += ' ';
  out.append(status, 3);
  out += ' ';
  out += response.reason();
  out += "\r\n";
  append_fields_and_end(out, response);
}

void append_chunk_size(std::string& out, std::size_t size) {
  char digits[2 * sizeof(std::size_t)];
  const auto end = std::to_chars(digits, digits + sizeof(digits), size, 16).ptr;
  out.append(digits, end);
  out += "\r\n";
}

}  // namespace reg::proxy
