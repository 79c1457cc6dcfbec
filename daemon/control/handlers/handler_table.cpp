#include "daemon/control/handlers/handlers.hpp"

namespace reg::control {

const std::unordered_map<std::string_view, CommandHandler>& handler_table() {
  using namespace handlers;
  static const std::unordered_map<std::string_view, CommandHandler> table = {
      {"REGISTER", register_session},
      {"RECONNECT", reconnect},
      {"PING", ping},
      {"SESSION_INFO", session_info},
      {"CLIENT_SHUTDOWN", client_shutdown},
      {"ROUTE_ADD", route_add},
      {"ROUTE_ADD_BULK", route_add_bulk},
      {"ROUTE_UPDATE", route_update},
      {"ROUTE_REMOVE", route_remove},
      {"ROUTE_LIST", route_list},
      {"HEADERS_SET", headers_set},
      {"HEADERS_REMOVE", headers_remove},
      {"OPTIONS_SET", options_set},
      {"OPTIONS_REMOVE", options_remove},
      {"HEALTH_SET", health_set},
      {"RATELIMIT_SET", ratelimit_set},
      {"CIRCUIT_BREAKER_SET", circuit_breaker_set},
      {"CIRCUIT_BREAKER_STATUS", circuit_breaker_status},
      {"CIRCUIT_BREAKER_RESET", circuit_breaker_reset},
      {"CONFIG_VALIDATE", config_validate},
      {"CONFIG_APPLY", config_apply},
      {"CONFIG_ROLLBACK", config_rollback},
      {"CONFIG_DIFF", config_diff},
      {"CONFIG_APPLY_PARTIAL", config_apply_partial},
      {"DRAIN_START", drain_start},
      {"DRAIN_STATUS", drain_status},
      {"DRAIN_CANCEL", drain_cancel},
      {"MAINT_ENTER", maint_enter},
      {"MAINT_EXIT", maint_exit},
      {"MAINT_STATUS", maint_status},
      {"STATS_GET", stats_get},
      {"BACKEND_TEST", backend_test},
      {"SUBSCRIBE", subscribe},
      {"UNSUBSCRIBE", unsubscribe},
      {"VERSION", version},
      {"AUTH", auth},
      {"SESSION_LIST", session_list},
      {"ROUTE_TABLE", route_table},
  };
  return table;
}

}  // namespace reg::control
