#include "daemon/proxy/message_head.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

#include "daemon/proxy/forwarded_headers.hpp"
#include "daemon/proxy/maintenance_page.hpp"

namespace reg::proxy {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using Field = AnswerHead::Field;

// The proxy's X-Maintenance-Mode replaces the backend's and a route's.
bool replaced_by_mark(const RelayedHeadChanges& changes, std::string_view name) {
  return changes.maintenance_mark && beast::iequals(name, kMaintenanceHeader);
}

bool replaced_by_route(const RelayedHeadChanges& changes, std::string_view name) {
  if (replaced_by_mark(changes, name)) return true;
  if (changes.route_headers == nullptr) return false;
  return std::any_of(changes.route_headers->begin(), changes.route_headers->end(),
                     [name](const auto& header) { return beast::iequals(header.first, name); });
}

bool relayed(const AnswerHead& head, const Field& field, const RelayedHeadChanges& changes) {
  if (field.name == http::field::connection || always_hop_by_hop(field.name)) return false;
  // The body is framed by it already: neither Connection nor a route header
  // takes it away. Repeated, it goes once, after the relayed fields.
  if (field.name == http::field::content_length) return !head.merged_content_length();
  const std::string_view name = head.name(field);
  if (head.connection_lists(name)) return false;
  return !replaced_by_route(changes, name);
}

void append_status_line(std::string& out, const AnswerHead& head) {
  const int code = head.status();
  const char digits[3] = {static_cast<char>('0' + code / 100 % 10), static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10)};
  out += "HTTP/1.1 ";
  out.append(digits, 3);
  out += ' ';
  // Without a phrase of its own the answer gets the standard one, as Beast gave it.
  const std::string_view reason = head.reason();
  out += reason.empty() ? std::string_view(http::obsolete_reason(http::int_to_status(code))) : reason;
  out += "\r\n";
}

}  // namespace

void append_field_line(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

void append_relayed_answer_head(std::string& out, const AnswerHead& head, const RelayedHeadChanges& changes) {
  append_status_line(out, head);
  // The relayed fields go as the backend wrote them, each run of
  // consecutive lines in one copy.
  std::size_t run_at = 0, run_end = 0;
  for (const Field& field : head.fields()) {
    if (!relayed(head, field, changes)) continue;
    if (field.line_at != run_end) {
      out += head.lines(run_at, run_end - run_at);
      run_at = field.line_at;
    }
    run_end = field.line_end;
  }
  out += head.lines(run_at, run_end - run_at);
  if (const auto length = head.merged_content_length()) append_field_line(out, "Content-Length", std::to_string(*length));
  if (changes.route_headers != nullptr) {
    for (const auto& [name, value] : *changes.route_headers) {
      if (written_by_proxy_only(name) || replaced_by_mark(changes, name)) continue;
      append_field_line(out, name, value);
    }
  }
  if (changes.maintenance_mark) append_field_line(out, kMaintenanceHeader, "true");
  if (!changes.upgrade.empty()) append_field_line(out, "Upgrade", changes.upgrade);
  if (changes.chunked) append_field_line(out, "Transfer-Encoding", "chunked");
  if (!changes.connection.empty()) append_field_line(out, "Connection", changes.connection);
  out += "\r\n";
}

void append_chunk_size(std::string& out, std::size_t size) {
  char digits[2 * sizeof(std::size_t)];
  const auto end = std::to_chars(digits, digits + sizeof(digits), size, 16).ptr;
  out.append(digits, end);
  out += "\r\n";
}

}  // namespace reg::proxy
