#pragma once
// A request path in the form routes are matched on and backends are sent.
// Without it, "/api/../admin", "/%61dmin" and "//admin" would take the route
// of "/api" or "/" while the backend reads "/admin": a way around the limits,
// maintenance and circuit of the "/admin" route. As nginx does before it picks
// a location: percent-encoded unreserved characters decoded (RFC 3986
// §6.2.2.2), "." and ".." segments removed (§5.2.4), runs of "/" merged.
// Other escapes ("%2F", "%20") stay as sent: decoding them would change
// what the path says.
#include <string>
#include <string_view>

namespace reg::proxy {

struct NormalizedPath {
  bool valid = true;       // false: ".." above the root, or a "%" not followed by two hex digits
  std::string rewritten;   // empty when the path was normal already (the usual case: no allocation)
};

// `path` starts with "/" (origin-form, as parse_request_target gives it).
NormalizedPath normalize_path(std::string_view path);

}  // namespace reg::proxy
