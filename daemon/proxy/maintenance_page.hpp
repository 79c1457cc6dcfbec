#pragma once
// The built-in maintenance answer (PROTOCOL.md §5 "Operations"): served for a
// route in maintenance without a maintenance backend, or when that backend
// gives no answer.
#include <string_view>

namespace reg::proxy {

inline constexpr int kMaintenanceStatus = 503;
inline constexpr std::string_view kMaintenanceRetryAfter = "30";
inline constexpr std::string_view kMaintenanceHeader = "X-Maintenance-Mode";
inline constexpr std::string_view kMaintenanceContentType = "text/html; charset=utf-8";

// A small self-contained HTML page: no external styles, scripts or images,
// since nothing behind the route can serve them right now.
std::string_view maintenance_page_html();

}  // namespace reg::proxy
