#pragma once
// RFC 9110 §9.2.2: methods a client may repeat without changing the outcome,
// so the proxy may send them again when no backend has answered yet.
#include <boost/beast/http/verb.hpp>

namespace reg::proxy {

inline bool is_idempotent(boost::beast::http::verb method) {
  using boost::beast::http::verb;
  switch (method) {
    case verb::get:
    case verb::head:
    case verb::options:
    case verb::put:
    case verb::delete_:
    case verb::trace:
      return true;
    default:
      return false;
  }
}

}  // namespace reg::proxy
