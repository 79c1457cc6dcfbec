#pragma once
// What the proxy checks in a client's request header before routing it.
#include <optional>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "daemon/proxy/request_parser.hpp"

namespace reg::proxy {

// Request smuggling guard (DESIGN.md "Known traps"): Beast 1.74 accepts
// framings that other servers on the path may read differently. The text
// for a 400 answer, or nullopt when the framing is sound.
std::optional<std::string_view> framing_problem(const ClientRequest& request);

bool asks_for_websocket(const ClientRequest& request);

bool expects_continue(const ClientRequest& request);

// The client sent something that is not HTTP, rather than going away.
bool is_malformed_request(const boost::system::error_code& ec);

}  // namespace reg::proxy
