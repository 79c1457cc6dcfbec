#include "daemon/proxy/request_checks.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace reg::proxy {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

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

bool asks_for_websocket(const ClientRequest& request) {
  // Most requests have no Upgrade; an empty token list still cost a hundred instructions.
  const std::string_view upgrade = request[http::field::upgrade];
  return !upgrade.empty() && http::token_list{upgrade}.exists("websocket");
}

bool expects_continue(const ClientRequest& request) {
  return beast::iequals(request[http::field::expect], "100-continue");
}

bool is_malformed_request(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace reg::proxy
