#pragma once
// The answers the proxy gives itself, without a backend: plain-text errors,
// 429 with its RateLimit fields, and the built-in maintenance page.
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "daemon/proxy/rate_limiter.hpp"

namespace reg::proxy {

using OwnResponse = boost::beast::http::response<boost::beast::http::string_body>;

OwnResponse plain_response(boost::beast::http::status status, std::string text);

// 429 with the IETF RateLimit fields, so a client can pace itself.
OwnResponse rate_limited_response(const RateDecision& decision);

OwnResponse maintenance_response();

}  // namespace reg::proxy
