#include "daemon/control/session_record.hpp"

#include "common/json_writer.hpp"
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

RouteSpec decode_route_json(const json& route) {
  return RouteSpec{route.at(0).get<std::vector<std::string>>(), route.at(1).get<std::string>(),
                   backend_of(route.at(2)), route.at(3).get<std::int64_t>()};
}

// Everything but the routes, which are rows of their own.
void write_settings(JsonWriter& out, const SessionConfig& config) {
  out.begin_object().key("headers").begin_array();
  for (const auto& [key, header] : config.headers) {
    out.begin_array().unsigned_number(key.first).string(key.second).string(header.name).string(header.value);
    out.end_array();
  }
  out.end_array().key("options").begin_array();
  for (const auto& [key, value] : config.options)
    out.begin_array().unsigned_number(key.first).string(key.second).string(value).end_array();
  out.end_array().key("health").begin_array();
  for (const auto& [target, check] : config.health) {
    out.begin_array().unsigned_number(target).string(check.path).number(check.interval.count());
    out.number(check.timeout.count()).end_array();
  }
  out.end_array().key("ratelimits").begin_array();
  for (const auto& [target, limit] : config.ratelimits)
    out.begin_array().unsigned_number(target).number(limit.requests).number(limit.window.count()).end_array();
  out.end_array().key("circuits").begin_array();
  for (const auto& [target, circuit] : config.circuits) {
    out.begin_array().unsigned_number(target).number(circuit.threshold).number(circuit.timeout.count());
    out.number(circuit.half_open_requests).end_array();
  }
  out.end_array().end_object();
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

std::string encode_route(const RouteSpec& route) {
  std::string text;
  JsonWriter out(text);
  out.begin_array().begin_array();
  for (const auto& domain : route.domains) out.string(domain);
  out.end_array().string(route.path).string(route.backend.to_string()).number(route.priority).end_array();
  return text;
}

// Written as text, not as an nlohmann tree: this runs for every changed
// session at every commit, and the tree's allocations cost more than the
// record. decode_session() reads it like any record of the same shape.
std::string encode_session(const Session& session, const ClockReading& now) {
  std::string text;
  text.reserve(512);
  JsonWriter out(text);
  out.begin_object();
  out.key("service_name").string(session.service_name);
  out.key("instance_name").string(session.instance_name);
  out.key("maintenance_port").number(session.maintenance_port);
  out.key("metadata").raw(session.metadata.dump());
  out.key("lease").string(session.lease == Lease::persistent ? "persistent" : "connection");
  out.key("connected_at").number(epoch_ms(session.connected_at));
  out.key("last_activity").number(epoch_ms(session.last_activity));
  out.key("last_apply");
  if (session.last_apply) out.number(epoch_ms(*session.last_apply));
  else out.null();
  out.key("active");
  write_settings(out, session.active);
  out.key("staged");
  if (session.staged) write_settings(out, *session.staged);
  else out.null();
  out.key("last_staged_at").number(epoch_ms(to_system(session.last_staged_at, now)));
  out.key("drain");
  if (session.drain) {
    out.begin_object().key("started_at").number(epoch_ms(session.drain->started_at));
    out.key("duration_ms").number(session.drain->duration.count());
    out.key("completed_announced").boolean(session.drain_completed_announced).end_object();
  } else {
    out.null();
  }
  out.key("maintenance").begin_object().key("all").boolean(session.maintenance.all).key("routes").begin_array();
  for (const std::uint64_t route : session.maintenance.routes) out.unsigned_number(route);
  out.end_array().key("excepted").begin_array();
  for (const std::uint64_t route : session.maintenance.excepted) out.unsigned_number(route);
  out.end_array().key("backend");
  if (session.maintenance.backend) out.string(session.maintenance.backend->to_string());
  else out.null();
  out.key("entered_at").number(epoch_ms(session.maintenance.entered_at)).end_object();
  out.end_object();
  return text;
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
    // Absent from records written before a MAINT_EXIT could except a route from ALL.
    if (maintenance.contains("excepted"))
      session.maintenance.excepted = maintenance.at("excepted").get<std::set<std::uint64_t>>();
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
