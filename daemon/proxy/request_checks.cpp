#include "daemon/proxy/request_checks.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace reg::proxy {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_reg_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
}

bool is_reg_name(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') {
      if (!is_reg_name_char(name[i])) return false;
    } else if (i + 2 < name.size() && is_hex_digit(name[i + 1]) && is_hex_digit(name[i + 2])) {
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string_view> framing_problem(const ClientRequest& request) {
  const auto encodings = request.count(http::field::transfer_encoding);
  const auto lengths = request.count(http::field::content_length);
  if (lengths > 1) return "more than one Content-Length header\n";
  if (encodings == 0) return std::nullopt;
  if (encodings > 1 || request.version() < 11 ||
      !beast::iequals(request[http::field::transfer_encoding], "chunked")) {
    return "unsupported Transfer-Encoding\n";
  }
  if (lengths > 0) return "Transfer-Encoding together with Content-Length\n";
  return std::nullopt;
}

bool is_valid_host(std::string_view host) {
  std::string_view port;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (const char c : host.substr(1, close - 1))
      if (!is_hex_digit(c) && c != ':' && c != '.') return false;
    port = host.substr(close + 1);
  } else {
    const auto colon = host.find(':');
    if (!is_reg_name(host.substr(0, colon))) return false;
    if (colon != std::string_view::npos) port = host.substr(colon);
  }
  if (port.empty()) return true;
  return port.front() == ':' &&
         std::all_of(port.begin() + 1, port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool asks_for_websocket(const ClientRequest& request) {
  // Most requests have no Upgrade; an empty token list still cost a hundred instructions.
  const std::string_view upgrade = request[http::field::upgrade];
  return !upgrade.empty() && http::token_list{upgrade}.exists("websocket");
}

bool expects_continue(const ClientRequest& request) {
  return request.version() >= 11 && beast::iequals(request[http::field::expect], "100-continue");
}

bool is_malformed_request(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace reg::proxy
