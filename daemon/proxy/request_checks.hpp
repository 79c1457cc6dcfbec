#pragma once
// What the proxy checks in a client's request header before routing it.
#include <optional>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

namespace reg::proxy {

// Request smuggling guard (DESIGN.md "Known traps"): Beast 1.74 accepts
// framings that other servers on the path may read differently. The text
// for a 400 answer, or nullopt when the framing is sound.
std::optional<std::string_view> framing_problem(
    const boost::beast::http::request<boost::beast::http::string_body>& request);

bool asks_for_websocket(const boost::beast::http::request<boost::beast::http::string_body>& request);

bool expects_continue(const boost::beast::http::request<boost::beast::http::string_body>& request);

// The client sent something that is not HTTP, rather than going away.
bool is_malformed_request(const boost::system::error_code& ec);

}  // namespace reg::proxy
