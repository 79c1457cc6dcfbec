#include "daemon/control/session_record.hpp"

#include "daemon/control/session_registry.hpp"

namespace reg::control {
namespace {

using nlohmann::json;

// Times are milliseconds since the Unix epoch: exact, unlike the protocol's
// second-precision text, so a drain resumes where it was.
std::int64_t epoch_ms(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
SystemTime from_epoch_ms(std::int64_t ms) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms)));
}

SystemTime to_system(SteadyTime time, const ClockReading& now) {
  return now.system - std::chrono::duration_cast<SystemTime::duration>(now.steady - time);
}
// Wall-clock time spent while regd was down counts, as it would have.
SteadyTime to_steady(SystemTime time, const ClockReading& now) {
  return now.steady - std::chrono::duration_cast<SteadyTime::duration>(now.system - time);
}

BackendUrl backend_of(const json& text) {
  auto parsed = parse_backend_url(text.get<std::string>());
  if (!parsed) throw std::runtime_error(parsed.error());
  return std::move(*parsed);
}

json encode_route_json(const RouteSpec& route) {
  return {route.domains, route.path, route.backend.to_string(), route.priority};
}

RouteSpec decode_route_json(const json& route) {
  return RouteSpec{route.at(0).get<std::vector<std::string>>(), route.at(1).get<std::string>(),
                   backend_of(route.at(2)), route.at(3).get<std::int64_t>()};
}

// Everything but the routes, which are rows of their own.
json encode_settings(const SessionConfig& config) {
  json headers = json::array();
  for (const auto& [key, header] : config.headers) headers.push_back({key.first, key.second, header.name, header.value});
  json options = json::array();
  for (const auto& [key, value] : config.options) options.push_back({key.first, key.second, value});
  json health = json::array();
  for (const auto& [target, check] : config.health)
    health.push_back({target, check.path, check.interval.count(), check.timeout.count()});
  json ratelimits = json::array();
  for (const auto& [target, limit] : config.ratelimits)
    ratelimits.push_back({target, limit.requests, limit.window.count()});
  json circuits = json::array();
  for (const auto& [target, circuit] : config.circuits)
    circuits.push_back({target, circuit.threshold, circuit.timeout.count(), circuit.half_open_requests});
  return {{"headers", std::move(headers)},       {"options", std::move(options)},
          {"health", std::move(health)},         {"ratelimits", std::move(ratelimits)},
          {"circuits", std::move(circuits)}};
}

SessionConfig decode_settings(const json& stored) {
  SessionConfig config;
  for (const auto& header : stored.at("headers")) {
    config.headers[{header.at(0).get<Target>(), header.at(1).get<std::string>()}] =
        HeaderValue{header.at(2).get<std::string>(), header.at(3).get<std::string>()};
  }
  for (const auto& option : stored.at("options"))
    config.options[{option.at(0).get<Target>(), option.at(1).get<std::string>()}] = option.at(2).get<std::string>();
  for (const auto& check : stored.at("health")) {
    config.health[check.at(0).get<Target>()] = HealthSpec{
        check.at(1).get<std::string>(), Milliseconds{check.at(2).get<std::int64_t>()},
        Milliseconds{check.at(3).get<std::int64_t>()}};
  }
  for (const auto& limit : stored.at("ratelimits")) {
    config.ratelimits[limit.at(0).get<Target>()] =
        RateLimitSpec{limit.at(1).get<std::int64_t>(), Milliseconds{limit.at(2).get<std::int64_t>()}};
  }
  for (const auto& circuit : stored.at("circuits")) {
    config.circuits[circuit.at(0).get<Target>()] =
        CircuitSpec{circuit.at(1).get<std::int64_t>(), Milliseconds{circuit.at(2).get<std::int64_t>()},
                    circuit.at(3).get<std::int64_t>()};
  }
  return config;
}

// Schema 1 stored a configuration's routes in the session's record, as
// [number, domains, path, backend, priority].
bool holds_routes(const json& config) { return config.contains("routes"); }

void decode_embedded_routes(const json& config, SessionConfig& into) {
  for (const auto& route : config.at("routes")) {
    into.routes.emplace(route.at(0).get<std::uint64_t>(),
                        RouteSpec{route.at(1).get<std::vector<std::string>>(), route.at(2).get<std::string>(),
                                  backend_of(route.at(3)), route.at(4).get<std::int64_t>()});
  }
}

}  // namespace

std::string encode_route(const RouteSpec& route) { return encode_route_json(route).dump(); }

std::string encode_session(const Session& session, const ClockReading& now) {
  json record = {
      {"service_name", session.service_name},
      {"instance_name", session.instance_name},
      {"maintenance_port", session.maintenance_port},
      {"metadata", session.metadata},
      {"lease", session.lease == Lease::persistent ? "persistent" : "connection"},
      {"connected_at", epoch_ms(session.connected_at)},
      {"last_activity", epoch_ms(session.last_activity)},
      {"last_apply", session.last_apply ? json(epoch_ms(*session.last_apply)) : json()},
      {"active", encode_settings(session.active)},
      {"staged", session.staged ? encode_settings(*session.staged) : json()},
      {"last_staged_at", epoch_ms(to_system(session.last_staged_at, now))},
      {"drain", session.drain ? json{{"started_at", epoch_ms(session.drain->started_at)},
                                     {"duration_ms", session.drain->duration.count()},
                                     {"completed_announced", session.drain_completed_announced}}
                              : json()},
      {"maintenance",
       {{"all", session.maintenance.all},
        {"routes", session.maintenance.routes},
        {"backend", session.maintenance.backend ? json(session.maintenance.backend->to_string()) : json()},
        {"entered_at", epoch_ms(session.maintenance.entered_at)}}}};
  return record.dump();
}

Result<RestoredSession> decode_session(const state::StoredSession& stored, const ClockReading& now) {
  RestoredSession restored{std::make_unique<Session>(), false};
  Session& session = *restored.session;
  try {
    const json record = json::parse(stored.body);
    session.id = stored.id;
    session.service_name = record.at("service_name").get<std::string>();
    session.instance_name = record.at("instance_name").get<std::string>();
    session.maintenance_port = record.at("maintenance_port").get<std::int64_t>();
    session.metadata = record.at("metadata");
    const std::string lease = record.at("lease").get<std::string>();
    if (lease != "persistent" && lease != "connection") throw std::runtime_error("unknown lease " + lease);
    session.lease = lease == "persistent" ? Lease::persistent : Lease::connection;
    if (session.lease == Lease::connection) session.detached_since = now.steady;
    session.connected_at = from_epoch_ms(record.at("connected_at").get<std::int64_t>());
    session.last_activity = from_epoch_ms(record.at("last_activity").get<std::int64_t>());
    if (const json& applied = record.at("last_apply"); !applied.is_null())
      session.last_apply = from_epoch_ms(applied.get<std::int64_t>());

    const json& active = record.at("active");
    session.active = decode_settings(active);
    restored.legacy_layout = holds_routes(active);
    if (restored.legacy_layout) decode_embedded_routes(active, session.active);
    for (const auto& [number, body] : stored.applied)
      session.active.routes.emplace_hint(session.active.routes.end(), number, decode_route_json(json::parse(body)));
    if (const json& staged = record.at("staged"); !staged.is_null()) {
      session.staged = decode_settings(staged);
      if (restored.legacy_layout) {
        decode_embedded_routes(staged, *session.staged);
      } else {
        session.staged->routes = session.active.routes;
        for (const auto& [number, body] : stored.staged) {
          if (body) session.staged->routes.insert_or_assign(number, decode_route_json(json::parse(*body)));
          else session.staged->routes.erase(number);
        }
      }
    }
    session.last_staged_at = to_steady(from_epoch_ms(record.at("last_staged_at").get<std::int64_t>()), now);
    if (const json& drain = record.at("drain"); !drain.is_null()) {
      session.drain = proxy::DrainWindow{from_epoch_ms(drain.at("started_at").get<std::int64_t>()),
                                         Milliseconds{drain.at("duration_ms").get<std::int64_t>()}};
      session.drain_completed_announced = drain.at("completed_announced").get<bool>();
    }
    const json& maintenance = record.at("maintenance");
    session.maintenance.all = maintenance.at("all").get<bool>();
    session.maintenance.routes = maintenance.at("routes").get<std::set<std::uint64_t>>();
    if (const json& backend = maintenance.at("backend"); !backend.is_null())
      session.maintenance.backend = backend_of(backend);
    session.maintenance.entered_at = from_epoch_ms(maintenance.at("entered_at").get<std::int64_t>());
  } catch (const std::exception& error) {
    return make_error("stored session " + redact_session_id(stored.id) + " is unreadable: " + error.what());
  }
  session.rebuild_route_keys();
  return restored;
}

}  // namespace reg::control
