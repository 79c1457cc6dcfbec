#pragma once
// One function per protocol command; handler_table.cpp maps names to them.
#include "daemon/control/command_request.hpp"

namespace reg::control::handlers {

// Core
Reply register_session(CommandRequest& request);
Reply reconnect(CommandRequest& request);
Reply ping(CommandRequest& request);
Reply session_info(CommandRequest& request);
Reply client_shutdown(CommandRequest& request);

// Routes
Reply route_add(CommandRequest& request);
Reply route_add_bulk(CommandRequest& request);
Reply route_update(CommandRequest& request);
Reply route_remove(CommandRequest& request);
Reply route_list(CommandRequest& request);

// Headers, options, health, rate limits, circuit breakers
Reply headers_set(CommandRequest& request);
Reply headers_remove(CommandRequest& request);
Reply options_set(CommandRequest& request);
Reply options_remove(CommandRequest& request);
Reply health_set(CommandRequest& request);
Reply ratelimit_set(CommandRequest& request);
Reply circuit_breaker_set(CommandRequest& request);
Reply circuit_breaker_status(CommandRequest& request);
Reply circuit_breaker_reset(CommandRequest& request);

// Configuration
Reply config_validate(CommandRequest& request);
Reply config_apply(CommandRequest& request);
Reply config_rollback(CommandRequest& request);
Reply config_diff(CommandRequest& request);
Reply config_apply_partial(CommandRequest& request);

// Operations
Reply drain_start(CommandRequest& request);
Reply drain_status(CommandRequest& request);
Reply drain_cancel(CommandRequest& request);
Reply maint_enter(CommandRequest& request);
Reply maint_exit(CommandRequest& request);
Reply maint_status(CommandRequest& request);

// Observability
Reply stats_get(CommandRequest& request);
Reply backend_test(CommandRequest& request);
Reply subscribe(CommandRequest& request);
Reply unsubscribe(CommandRequest& request);

// Server information and administration
Reply version(CommandRequest& request);
Reply auth(CommandRequest& request);
Reply session_list(CommandRequest& request);
Reply route_table(CommandRequest& request);

}  // namespace reg::control::handlers
