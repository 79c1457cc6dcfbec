#include "daemon/proxy/request_target.hpp"

#include <algorithm>
#include <cctype>

namespace reg::proxy {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// Splits "/p?q" (the origin-form tail) into path and query.
RequestTarget split_path_and_query(std::string_view authority, std::string_view rest) {
  const auto question = rest.find('?');
  std::string_view path = rest.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view{} : rest.substr(question);
  if (path.empty()) path = "/";
  return {authority, path, query};
}

}  // namespace

std::optional<RequestTarget> parse_request_target(std::string_view target) {
  // A fragment is the client's own business; RFC 9112 §3.2 leaves it out.
  if (target.find('#') != std::string_view::npos) return std::nullopt;
  if (target == "*") return RequestTarget{{}, target, {}};
  if (target.starts_with('/')) return split_path_and_query({}, target);

  std::string_view rest;
  if (starts_with_ignoring_case(target, "http://")) {
    rest = target.substr(7);
  } else if (starts_with_ignoring_case(target, "https://")) {
    rest = target.substr(8);
  } else {
    return std::nullopt;
  }
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  // Userinfo in an http URI is an error (RFC 9110 §4.2.4): "http://a.com:@evil"
  // means evil, which a reader of the text may well not.
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  return split_path_and_query(
      authority, authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end));
}

std::string rewrite_target(const RequestTarget& target, std::string_view strip_prefix,
                           std::string_view base_path) {
  if (target.path == "*") return std::string(target.path);

  std::string_view path = target.path;
  // "/" as a prefix strips nothing: every path keeps its leading slash.
  if (!strip_prefix.empty() && strip_prefix != "/" && path.starts_with(strip_prefix)) {
    path.remove_prefix(strip_prefix.ends_with('/') ? strip_prefix.size() - 1 : strip_prefix.size());
  }

  std::string rewritten;
  rewritten.reserve(base_path.size() + path.size() + 1 + target.query.size());
  rewritten += base_path;
  if (!path.starts_with('/')) rewritten += '/';
  rewritten += path;
  rewritten += target.query;
  return rewritten;
}

}  // namespace reg::proxy
