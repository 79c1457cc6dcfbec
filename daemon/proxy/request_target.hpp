#pragma once
// The request-target of an HTTP request (RFC 9112 §3.2): what the proxy
// routes on, and how it is rewritten for a backend (strip_prefix, base path).
#include <optional>
#include <string>
#include <string_view>

namespace reg::proxy {

struct RequestTarget {
  std::string_view authority;  // absolute-form only ("example.com:8080"); it overrides Host
  std::string_view path;       // "/a/b"; "*" for the asterisk-form of OPTIONS
  std::string_view query;      // "?x=1" with its '?', or empty
};

// Origin-form ("/p?q"), absolute-form ("http://host/p?q") and asterisk-form
// ("*"). Anything else (authority-form of CONNECT, a target with a fragment
// or with userinfo, garbage) is nullopt.
// The views point into `target`.
std::optional<RequestTarget> parse_request_target(std::string_view target);

// The origin-form target a backend gets: `strip_prefix` (a pool path such as
// "/api", or empty) removed from the path, keeping at least "/", then
// `base_path` (a backend URL's "/base", or empty) put in front. The query is
// kept as sent.
std::string rewrite_target(const RequestTarget& target, std::string_view strip_prefix,
                           std::string_view base_path);

}  // namespace reg::proxy
