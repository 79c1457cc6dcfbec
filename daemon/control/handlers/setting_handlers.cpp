// HEADERS_SET/REMOVE, OPTIONS_SET/REMOVE, HEALTH_SET, RATELIMIT_SET,
// CIRCUIT_BREAKER_SET: staged settings of a route or of the whole session.
#include "common/option_table.hpp"
#include "daemon/control/handlers/handlers.hpp"
#include "daemon/control/session_view.hpp"

namespace reg::control::handlers {
namespace {

// "ALL" or a route of this session (a route pending removal counts, so that
// CONFIG_VALIDATE can name the problem).
Result<Target> session_target(const Session& session, const std::string& text) {
  if (text == "ALL") return kAllRoutes;
  const std::uint64_t number = *parse_route_id(text);
  if (!session_has_route(session, number)) return make_error("route not found: " + text);
  return number;
}

}  // namespace

Reply headers_set(CommandRequest& request) {
  Session& session = *request.session;
  auto target = session_target(session, request.text(1));
  if (!target) return Reply::error(target.error());
  const std::string& name = request.text(2);
  session.staging(request.steady_now).headers[{*target, lower_case(name)}] = HeaderValue{name, request.text(3)};
  return {"HEADERS_OK", {}};
}

Reply headers_remove(CommandRequest& request) {
  Session& session = *request.session;
  auto target = session_target(session, request.text(1));
  if (!target) return Reply::error(target.error());
  session.staging(request.steady_now).headers.erase({*target, lower_case(request.text(2))});
  return {"HEADERS_OK", {}};
}

Reply options_set(CommandRequest& request) {
  Session& session = *request.session;
  auto target = session_target(session, request.text(1));
  if (!target) return Reply::error(target.error());
  const std::string& key = request.text(2);
  const std::string& value = request.text(3);
  if (auto checked = check_option_value(*find_option(key), value); !checked) return Reply::error(checked.error());
  session.staging(request.steady_now).options[{*target, key}] = value;
  return {"OPTIONS_OK", {}};
}

Reply options_remove(CommandRequest& request) {
  Session& session = *request.session;
  auto target = session_target(session, request.text(1));
  if (!target) return Reply::error(target.error());
  session.staging(request.steady_now).options.erase({*target, request.text(2)});
  return {"OPTIONS_OK", {}};
}

Reply health_set(CommandRequest& request) {
  Session& session = *request.session;
  const std::uint64_t route = request.route(1);
  if (!session_has_route(session, route)) return Reply::error("route not found: " + format_route_id(route));
  if (request.duration(4) > request.duration(3))
    return Reply::error("invalid duration: health timeout " + format_duration(request.duration(4)) +
                        " is longer than the interval " + format_duration(request.duration(3)));
  session.staging(request.steady_now).health[route] = HealthSpec{request.text(2), request.duration(3), request.duration(4)};
  return {"HEALTH_OK", {}};
}

Reply ratelimit_set(CommandRequest& request) {
  Session& session = *request.session;
  auto target = session_target(session, request.text(1));
  if (!target) return Reply::error(target.error());
  session.staging(request.steady_now).ratelimits[*target] = RateLimitSpec{request.integer(2), request.duration(3)};
  return {"RATELIMIT_OK", {}};
}

Reply circuit_breaker_set(CommandRequest& request) {
  Session& session = *request.session;
  auto target = session_target(session, request.text(1));
  if (!target) return Reply::error(target.error());
  session.staging(request.steady_now).circuits[*target] =
      CircuitSpec{request.integer(2), request.duration(3), request.integer(4)};
  return {"CIRCUIT_OK", {}};
}

}  // namespace reg::control::handlers
