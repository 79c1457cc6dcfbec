#include "daemon/proxy/request_checks.hpp"

#include <array>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "daemon/proxy/character_table.hpp"

namespace reg::proxy {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

bool is_hex_digit(char c) { return hex_value(c) >= 0; }

// RFC 3986 §3.2.2 reg-name: unreserved and sub-delims (and %XX, apart).
constexpr std::array<bool, 256> kRegNameChars = alphanumerics_and("-._~!$&'()*+,;=");

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
  const std::size_t size = host.size();
  std::size_t at = 0;
  if (size > 0 && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (at = 1; at < close; ++at)
      if (!is_hex_digit(host[at]) && host[at] != ':' && host[at] != '.') return false;
    ++at;
  } else {
    for (; at < size && host[at] != ':'; ++at) {
      if (kRegNameChars[static_cast<unsigned char>(host[at])]) continue;
      if (host[at] != '%' || at + 2 >= size || !is_hex_digit(host[at + 1]) || !is_hex_digit(host[at + 2])) return false;
      at += 2;
    }
  }
  if (at == size) return true;
  if (host[at] != ':') return false;
  for (++at; at < size; ++at)
    if (host[at] < '0' || host[at] > '9') return false;
  return true;
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
