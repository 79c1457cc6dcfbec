#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/command_table.hpp"
#include "common/field_validation.hpp"
#include "common/option_table.hpp"
#include "unit_helpers.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using reg::FieldValue;
using unit::error_of;
using namespace std::chrono_literals;

using Texts = std::vector<std::string>;

namespace {

// Validates `text` as the field `field_name` of `command`, as the dispatcher
// does before a handler runs.
reg::Result<FieldValue> validate(std::string_view command, std::string_view field_name, std::string_view text) {
  const reg::CommandSpec* spec = reg::find_command(command);
  REQUIRE(spec != nullptr);
  const auto field = std::find_if(spec->fields.begin(), spec->fields.end(),
                                  [&](const reg::FieldSpec& candidate) { return candidate.name == field_name; });
  REQUIRE(field != spec->fields.end());
  return reg::validate_field(*spec, *field, text);
}

template <class T>
T value_as(const reg::Result<FieldValue>& result) {
  REQUIRE(result.ok());
  REQUIRE(std::holds_alternative<T>(*result));
  return std::get<T>(*result);
}

const reg::OptionSpec& option(std::string_view key) {
  const reg::OptionSpec* spec = reg::find_option(key);
  REQUIRE(spec != nullptr);
  return *spec;
}

}  // namespace

// ---------------------------------------------------------------- kinds passed through as text

TEST_CASE("field validation: session ids, route values, option values and tokens pass as text") {
  CHECK(value_as<std::string>(validate("SESSION_INFO", "session_id", "orbat.1-6f1c")) == "orbat.1-6f1c");
  CHECK(value_as<std::string>(validate("ROUTE_UPDATE", "value", "not checked here")) == "not checked here");
  CHECK(value_as<std::string>(validate("OPTIONS_SET", "value", "30s")) == "30s");
  CHECK(value_as<std::string>(validate("AUTH", "token", "s3cret")) == "s3cret");
}

// ---------------------------------------------------------------- names, port, json

TEST_CASE("field validation: service and instance names") {
  CHECK(value_as<std::string>(validate("REGISTER", "service_name", "billing")) == "billing");
  CHECK(value_as<std::string>(validate("REGISTER", "instance_name", "billing-1")) == "billing-1");
  CHECK_THAT(error_of(validate("REGISTER", "service_name", "#billing")), StartsWith("invalid service name: #billing"));
  CHECK_THAT(error_of(validate("REGISTER", "service_name", "")), StartsWith("invalid service name: "));
  CHECK_THAT(error_of(validate("REGISTER", "instance_name", std::string(129, 'i'))),
             StartsWith("invalid instance name: "));
}

TEST_CASE("field validation: maintenance port is an integer from 0 to 65535") {
  CHECK(value_as<std::int64_t>(validate("REGISTER", "maintenance_port", "9000")) == 9000);
  CHECK(error_of(validate("REGISTER", "maintenance_port", "65536")) ==
        "invalid maintenance_port: 65536 (expected an integer from 0 to 65535)");
  CHECK_THAT(error_of(validate("REGISTER", "maintenance_port", "http")), StartsWith("invalid maintenance_port: "));
  CHECK_THAT(error_of(validate("REGISTER", "maintenance_port", "-1")), StartsWith("invalid maintenance_port: "));
}

TEST_CASE("field validation: metadata is a JSON object, empty meaning {}") {
  CHECK(value_as<nlohmann::json>(validate("REGISTER", "metadata", "")) == nlohmann::json::object());
  CHECK(value_as<nlohmann::json>(validate("REGISTER", "metadata", R"({"lease":"persistent","note":"a|b"})")) ==
        nlohmann::json{{"lease", "persistent"}, {"note", "a|b"}});
  for (const char* text : {"[]", "{bad", "42", "\"text\"", "null", "{} {}"}) {
    INFO("metadata: " << text);
    CHECK_THAT(error_of(validate("REGISTER", "metadata", text)), StartsWith("invalid metadata json"));
  }
}

TEST_CASE("field validation: ROUTE_ADD_BULK takes a JSON array") {
  CHECK(value_as<nlohmann::json>(validate("ROUTE_ADD_BULK", "json_array", R"([{"path":"/"}])")) ==
        nlohmann::json::parse(R"([{"path":"/"}])"));
  CHECK(error_of(validate("ROUTE_ADD_BULK", "json_array", "{}")) == "invalid json: expected an array");
  CHECK_THAT(error_of(validate("ROUTE_ADD_BULK", "json_array", "[")), StartsWith("invalid json: "));
  CHECK_THAT(error_of(validate("ROUTE_ADD_BULK", "json_array", "")), StartsWith("invalid json: "));
}

// Deep nesting fits in one 1 MiB line, and nlohmann::json copies and dumps
// recursively: SESSION_INFO of such metadata overflowed regd's stack.
TEST_CASE("field validation: JSON nested deeper than the limit is refused before parsing") {
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(error_of(validate("REGISTER", "metadata", R"({"a":)" + nested(300'000) + "}")) ==
        "invalid metadata json (nested deeper than 64 levels)");
  CHECK(error_of(validate("ROUTE_ADD_BULK", "json_array", nested(300'000))) ==
        "invalid json (nested deeper than 64 levels)");
  CHECK(value_as<nlohmann::json>(validate("ROUTE_ADD_BULK", "json_array", nested(64))).is_array());
  // Brackets in strings, after escaped quotes and backslashes too, are text.
  const std::string brackets(1000, '[');
  CHECK(value_as<nlohmann::json>(validate("REGISTER", "metadata", R"({"note":"\"[)" + brackets + R"(\\"})"))
            .is_object());
}

// ---------------------------------------------------------------- route fields

TEST_CASE("field validation: domains become a lower-cased list") {
  CHECK(value_as<std::vector<std::string>>(validate("ROUTE_ADD", "domains", "A.example.com,*.Example.com")) ==
        Texts{"a.example.com", "*.example.com"});
  CHECK_THAT(error_of(validate("ROUTE_ADD", "domains", "")), StartsWith("invalid domain: "));
  CHECK_THAT(error_of(validate("ROUTE_ADD", "domains", "a.*.com")), StartsWith("invalid domain: "));
}

TEST_CASE("field validation: paths") {
  CHECK(value_as<std::string>(validate("ROUTE_ADD", "path", "/api")) == "/api");
  CHECK_THAT(error_of(validate("ROUTE_ADD", "path", "api")), StartsWith("invalid path: "));
  CHECK_THAT(error_of(validate("HEALTH_SET", "path", "/health?x")), StartsWith("invalid path: "));
}

TEST_CASE("field validation: backend urls are parsed") {
  auto url = value_as<reg::BackendUrl>(validate("ROUTE_ADD", "backend_url", "http://B:8080/base/"));
  CHECK(url.to_string() == "http://b:8080/base");
  CHECK_THAT(error_of(validate("ROUTE_ADD", "backend_url", "ftp://b")), StartsWith("invalid backend url: "));
  CHECK_THAT(error_of(validate("BACKEND_TEST", "backend_url", "")), StartsWith("invalid backend url: "));
}

TEST_CASE("field validation: the MAINT_ENTER backend url may be empty") {
  auto empty = validate("MAINT_ENTER", "backend_url", "");
  REQUIRE(empty.ok());
  CHECK(std::holds_alternative<std::monostate>(*empty));
  CHECK(value_as<reg::BackendUrl>(validate("MAINT_ENTER", "backend_url", "http://m")).to_string() == "http://m:80");
  CHECK_THAT(error_of(validate("MAINT_ENTER", "backend_url", "m:80")), StartsWith("invalid backend url: "));
}

TEST_CASE("field validation: priority") {
  CHECK(value_as<std::int64_t>(validate("ROUTE_ADD", "priority", "-5")) == -5);
  CHECK_THAT(error_of(validate("ROUTE_ADD", "priority", "high")), StartsWith("invalid priority: "));
  CHECK_THAT(error_of(validate("ROUTE_ADD", "priority", "2000000")), StartsWith("invalid priority: "));
}

TEST_CASE("field validation: route ids become route numbers") {
  CHECK(value_as<std::uint64_t>(validate("ROUTE_REMOVE", "route_id", "r3")) == 3);
  CHECK(error_of(validate("ROUTE_REMOVE", "route_id", "3")) == "route not found: 3");
  CHECK(error_of(validate("HEALTH_SET", "route_id", "ALL")) == "route not found: ALL");
}

TEST_CASE("field validation: a target is ALL or a route id") {
  CHECK(value_as<std::string>(validate("HEADERS_SET", "target", "ALL")) == "ALL");
  CHECK(value_as<std::string>(validate("RATELIMIT_SET", "target", "r2")) == "r2");
  CHECK(error_of(validate("OPTIONS_SET", "target", "all")) == "route not found: all");
  CHECK(error_of(validate("CIRCUIT_BREAKER_SET", "target", "r0")) == "route not found: r0");
}

TEST_CASE("field validation: a maintenance target is ALL or a list of route ids, paths and domains") {
  CHECK(value_as<std::vector<std::string>>(validate("MAINT_ENTER", "target", "ALL")) == Texts{"ALL"});
  CHECK(value_as<std::vector<std::string>>(validate("MAINT_EXIT", "target", "r2,/admin,Admin.Example.com.")) ==
        Texts{"r2", "/admin", "admin.example.com"});
}

TEST_CASE("field validation: maintenance target domains are normalised like route domains") {
  // Routes store domains lower-cased without the trailing dot; a target item
  // must be written the same way to select them, whatever letter it starts with.
  CHECK(value_as<std::vector<std::string>>(validate("MAINT_ENTER", "target", "Rabbit.Example.com")) ==
        Texts{"rabbit.example.com"});
  CHECK(value_as<std::vector<std::string>>(validate("MAINT_ENTER", "target", "rabbit.Example.COM")) ==
        Texts{"rabbit.example.com"});
  CHECK(value_as<std::vector<std::string>>(validate("MAINT_ENTER", "target", "r2,rabbit.example.com.")) ==
        Texts{"r2", "rabbit.example.com"});
}

TEST_CASE("field validation: malformed maintenance target items") {
  for (const char* text : {"", "r2,,r3", "bad domain", "/a b", "a.*.com", "r2,"}) {
    INFO("target: \"" << text << '"');
    CHECK_THAT(error_of(validate("MAINT_ENTER", "target", text)), StartsWith("invalid target: "));
  }
}

TEST_CASE("field validation: is_maint_target_item") {
  CHECK(reg::is_maint_target_item("r2"));
  CHECK(reg::is_maint_target_item("/admin"));
  CHECK(reg::is_maint_target_item("admin.example.com"));
  CHECK_FALSE(reg::is_maint_target_item(""));
  CHECK_FALSE(reg::is_maint_target_item("/a?b"));
  CHECK_FALSE(reg::is_maint_target_item("not a domain"));
}

TEST_CASE("field validation: ROUTE_UPDATE field names") {
  for (const char* field : {"backend_url", "priority", "domains", "path"}) {
    INFO("field: " << field);
    CHECK(value_as<std::string>(validate("ROUTE_UPDATE", "field", field)) == field);
  }
  CHECK(error_of(validate("ROUTE_UPDATE", "field", "weight")) ==
        "invalid field: weight (expected backend_url, priority, domains or path)");
}

// ---------------------------------------------------------------- headers and options

TEST_CASE("field validation: header names and values") {
  CHECK(value_as<std::string>(validate("HEADERS_SET", "name", "X-Frame-Options")) == "X-Frame-Options");
  CHECK_THAT(error_of(validate("HEADERS_REMOVE", "name", "X Frame")), StartsWith("invalid header name: "));
  CHECK(value_as<std::string>(validate("HEADERS_SET", "value", "a|b")) == "a|b");
  CHECK_THAT(error_of(validate("HEADERS_SET", "value", "a\r\nSet-Cookie: x")), StartsWith("invalid header value"));
}

TEST_CASE("field validation: a known option key passes") {
  CHECK(value_as<std::string>(validate("OPTIONS_SET", "key", "timeout")) == "timeout");
  CHECK(value_as<std::string>(validate("OPTIONS_REMOVE", "key", "weight")) == "weight");
}

TEST_CASE("field validation: an unknown option key lists the known keys") {
  const std::string error = error_of(validate("OPTIONS_SET", "key", "colour"));
  CHECK_THAT(error, StartsWith("invalid option: unknown key colour (known: "));
  for (const char* key : {"timeout", "connect_timeout", "websocket", "strip_prefix", "preserve_host", "weight",
                          "retries", "max_body", "health_rise", "health_fall", "health_status", "slow_start"}) {
    CHECK_THAT(error, Contains(key));
  }
}

// ---------------------------------------------------------------- durations, counts, events, scopes

TEST_CASE("field validation: durations are above zero") {
  CHECK(value_as<reg::Milliseconds>(validate("HEALTH_SET", "interval", "10s")) == 10s);
  CHECK(value_as<reg::Milliseconds>(validate("DRAIN_START", "duration", "1m30s")) == 90s);
  CHECK(error_of(validate("DRAIN_START", "duration", "0")) == "invalid duration: 0 (must be above zero)");
  CHECK_THAT(error_of(validate("DRAIN_START", "duration", "0ms")), StartsWith("invalid duration: "));
  CHECK_THAT(error_of(validate("RATELIMIT_SET", "window", "5x")), StartsWith("invalid duration: "));
}

TEST_CASE("field validation: counts are positive integers") {
  CHECK(value_as<std::int64_t>(validate("RATELIMIT_SET", "requests", "100")) == 100);
  CHECK(value_as<std::int64_t>(validate("CIRCUIT_BREAKER_SET", "threshold", "1")) == 1);
  CHECK_THAT(error_of(validate("RATELIMIT_SET", "requests", "0")), StartsWith("invalid requests: "));
  CHECK_THAT(error_of(validate("CIRCUIT_BREAKER_SET", "half_open_requests", "-2")),
             StartsWith("invalid half_open_requests: "));
  CHECK_THAT(error_of(validate("CIRCUIT_BREAKER_SET", "threshold", "many")), StartsWith("invalid threshold: "));
}

TEST_CASE("field validation: every protocol event type can be subscribed") {
  for (const char* type : {"backend_health_changed", "circuit_state_changed", "drain_completed",
                           "global_config_changed", "cert_renewed", "session_expired", "staged_expired", "all"}) {
    INFO("event type: " << type);
    CHECK(value_as<std::string>(validate("SUBSCRIBE", "event_type", type)) == type);
    CHECK(validate("UNSUBSCRIBE", "event_type", type).ok());
  }
}

TEST_CASE("field validation: an unknown event type is a usage error naming the valid types") {
  const std::string error = error_of(validate("SUBSCRIBE", "event_type", "route_added"));
  CHECK_THAT(error, StartsWith("usage: SUBSCRIBE|session_id|event_type"));
  for (const char* type : {"backend_health_changed", "circuit_state_changed", "drain_completed",
                           "global_config_changed", "cert_renewed", "session_expired", "staged_expired", "all"}) {
    CHECK_THAT(error, Contains(type));
  }
  CHECK_THAT(error_of(validate("UNSUBSCRIBE", "event_type", "ALL")), StartsWith("usage: UNSUBSCRIBE|"));
}

TEST_CASE("field validation: apply scope is a comma list of kinds") {
  CHECK(value_as<std::vector<std::string>>(validate("CONFIG_APPLY_PARTIAL", "scope", "routes,headers")) ==
        Texts{"routes", "headers"});
  CHECK(value_as<std::vector<std::string>>(
            validate("CONFIG_APPLY_PARTIAL", "scope", "routes,headers,options,health,ratelimit,circuit")) ==
        Texts{"routes", "headers", "options", "health", "ratelimit", "circuit"});
}

TEST_CASE("field validation: unknown apply scopes") {
  CHECK_THAT(error_of(validate("CONFIG_APPLY_PARTIAL", "scope", "routes,bogus")), StartsWith("invalid scope: bogus"));
  CHECK_THAT(error_of(validate("CONFIG_APPLY_PARTIAL", "scope", "")), StartsWith("invalid scope: "));
  CHECK_THAT(error_of(validate("CONFIG_APPLY_PARTIAL", "scope", "Routes")), StartsWith("invalid scope: Routes"));
  CHECK_THAT(error_of(validate("CONFIG_APPLY_PARTIAL", "scope", "routes,")), StartsWith("invalid scope: "));
}

// ---------------------------------------------------------------- option table

TEST_CASE("option table: every key the protocol names, with its type") {
  using T = reg::OptionType;
  const std::vector<std::pair<std::string_view, T>> expected = {
      {"timeout", T::duration},      {"connect_timeout", T::duration}, {"websocket", T::boolean},
      {"strip_prefix", T::boolean},  {"preserve_host", T::boolean},    {"weight", T::integer},
      {"retries", T::integer},       {"max_body", T::size},            {"health_rise", T::integer},
      {"health_fall", T::integer},   {"health_status", T::status_range}, {"slow_start", T::duration}};
  for (const auto& [key, type] : expected) {
    INFO("option: " << key);
    CHECK(option(key).type == type);
  }
  CHECK(reg::find_option("colour") == nullptr);
}

TEST_CASE("option table: defaults the protocol states") {
  CHECK(option("preserve_host").default_value == "true");
  CHECK(option("health_rise").default_value == "2");
  CHECK(option("health_fall").default_value == "3");
  CHECK(option("health_status").default_value == "200-399");
}

TEST_CASE("option table: every default is a valid value of its option") {
  for (const auto& spec : reg::option_table()) {
    INFO("option: " << spec.key << " default " << spec.default_value);
    CHECK(reg::check_option_value(spec, spec.default_value).ok());
  }
}

TEST_CASE("option values: durations") {
  CHECK(reg::check_option_value(option("timeout"), "30s").ok());
  CHECK(reg::check_option_value(option("connect_timeout"), "500ms").ok());
  CHECK(reg::check_option_value(option("slow_start"), "1m").ok());
  CHECK(error_of(reg::check_option_value(option("timeout"), "soon")) == "invalid option timeout: expected a duration");
  CHECK(error_of(reg::check_option_value(option("connect_timeout"), "")) ==
        "invalid option connect_timeout: expected a duration");
}

TEST_CASE("option values: a timeout of zero is refused, a slow start of zero means none") {
  for (const char* text : {"0", "0s", "0ms", "0m0s"}) {
    INFO("duration: " << text);
    CHECK(error_of(reg::check_option_value(option("timeout"), text)) ==
          "invalid option timeout: expected a duration above zero");
    CHECK(error_of(reg::check_option_value(option("connect_timeout"), text)) ==
          "invalid option connect_timeout: expected a duration above zero");
    CHECK(reg::check_option_value(option("slow_start"), text).ok());
  }
  CHECK(reg::check_option_value(option("timeout"), "1ms").ok());
}

TEST_CASE("option values: bools") {
  CHECK(reg::check_option_value(option("websocket"), "yes").ok());
  CHECK(reg::check_option_value(option("preserve_host"), "false").ok());
  CHECK(error_of(reg::check_option_value(option("strip_prefix"), "maybe")) ==
        "invalid option strip_prefix: expected a bool");
}

TEST_CASE("option values: weight is an integer from 1 to 1000") {
  CHECK(reg::check_option_value(option("weight"), "1").ok());
  CHECK(reg::check_option_value(option("weight"), "1000").ok());
  for (const char* text : {"0", "1001", "-1", "heavy", ""}) {
    INFO("weight: \"" << text << '"');
    CHECK(error_of(reg::check_option_value(option("weight"), text)) ==
          "invalid option weight: expected an integer from 1 to 1000");
  }
}

TEST_CASE("option values: other integers") {
  CHECK(reg::check_option_value(option("retries"), "0").ok());
  CHECK(reg::check_option_value(option("health_rise"), "2").ok());
  CHECK_THAT(error_of(reg::check_option_value(option("retries"), "-1")),
             StartsWith("invalid option retries: expected an integer"));
  CHECK_THAT(error_of(reg::check_option_value(option("health_fall"), "0")),
             StartsWith("invalid option health_fall: expected an integer"));
}

TEST_CASE("option values: sizes and status ranges") {
  CHECK(reg::check_option_value(option("max_body"), "10m").ok());
  CHECK(reg::check_option_value(option("max_body"), "512k").ok());
  CHECK(error_of(reg::check_option_value(option("max_body"), "big")) == "invalid option max_body: expected a size");
  CHECK(reg::check_option_value(option("health_status"), "200-399").ok());
  CHECK(reg::check_option_value(option("health_status"), "204").ok());
  CHECK(error_of(reg::check_option_value(option("health_status"), "200-")) ==
        "invalid option health_status: expected a status range");
}
