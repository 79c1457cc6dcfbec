#include "daemon/proxy/proxy_answers.hpp"

#include <utility>

#include "daemon/proxy/maintenance_page.hpp"

namespace reg::proxy {

namespace {

namespace http = boost::beast::http;
using Response = OwnResponse;

}  // namespace

Response plain_response(http::status status, std::string text) {
  Response response{status, 11};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(text);
  return response;
}

Response rate_limited_response(const RateDecision& decision) {
  auto response = plain_response(http::status::too_many_requests, "rate limit exceeded\n");
  response.set(http::field::retry_after, std::to_string(decision.retry_after_seconds()));
  response.set("RateLimit-Limit", std::to_string(decision.limit));
  response.set("RateLimit-Remaining", std::to_string(decision.remaining));
  response.set("RateLimit-Reset", std::to_string(decision.reset_seconds()));
  return response;
}

Response maintenance_response() {
  Response response{static_cast<http::status>(kMaintenanceStatus), 11};
  response.set(http::field::content_type, kMaintenanceContentType);
  response.set(http::field::retry_after, kMaintenanceRetryAfter);
  response.set(kMaintenanceHeader, "true");
  response.body() = maintenance_page_html();
  return response;
}

}  // namespace reg::proxy
