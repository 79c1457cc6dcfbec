#include "cli/reply_views.hpp"

#include <functional>
#include <string>
#include <vector>

#include "cli/diff_view.hpp"
#include "cli/exit_codes.hpp"
#include "cli/progress.hpp"
#include "cli/table.hpp"

namespace regctl {
namespace {

struct Column {
  std::string header;
  std::function<Cell(const Json&)> cell;
  bool wide_only = false;
};

Column field(std::string header, std::string key, bool wide_only = false) {
  return {std::move(header), [key](const Json& item) { return Cell{value_text(item.value(key, Json()))}; },
          wide_only};
}

Column state_field(std::string header, std::string key) {
  return {std::move(header), [key](const Json& item) {
            const std::string state = value_text(item.value(key, Json()));
            return Cell{state, tone_of_state(state)};
          }};
}

Cell health_cell(const Json& healthy) {
  if (!healthy.is_boolean()) return {value_text(healthy)};
  return healthy.get<bool>() ? Cell{"healthy", Tone::green} : Cell{"unhealthy", Tone::red};
}

// What a backend in the routing table is doing with traffic right now.
Cell traffic_cell(const Json& backend) {
  if (backend.value("detached", false)) return {"detached", Tone::yellow};
  if (backend.value("maintenance", false)) return {"maintenance", Tone::yellow};
  const std::string percent = value_text(backend.value("traffic_percent", Json(100))) + "%";
  if (backend.value("draining", false)) return {"draining " + percent, Tone::yellow};
  return {percent};
}

std::vector<Column> route_list_columns() {
  return {field("ROUTE", "route_id"), field("DOMAINS", "domains"), field("PATH", "path"),
          field("BACKEND", "backend"), field("PRIORITY", "priority"), state_field("STATUS", "status")};
}

std::vector<Column> session_columns() {
  return {field("SESSION", "session_id"),
          field("SERVICE", "service_name"),
          field("INSTANCE", "instance_name"),
          field("LEASE", "lease"),
          state_field("STATE", "state"),
          {"ROUTES",
           [](const Json& item) {
             const auto staged = item.value("routes_staged", 0);
             std::string text = value_text(item.value("routes_active", Json(0)));
             if (staged > 0) return Cell{text + " (+" + std::to_string(staged) + " staged)", Tone::yellow};
             return Cell{text};
           }},
          field("UPTIME", "uptime_seconds"),
          field("MAINT_PORT", "maintenance_port", true),
          field("CONNECTED", "connected_at", true),
          field("LAST_ACTIVITY", "last_activity", true),
          field("LAST_APPLY", "last_apply", true)};
}

std::vector<Column> stats_columns() {
  return {field("ROUTE", "route_id"),
          field("REQUESTS", "requests"),
          {"ERRORS",
           [](const Json& item) {
             const auto errors = item.value("errors", 0);
             return Cell{std::to_string(errors), errors > 0 ? Tone::red : Tone::none};
           }},
          field("AVG_MS", "avg_latency_ms"),
          field("P50_MS", "p50_latency_ms"),
          field("P95_MS", "p95_latency_ms"),
          field("P99_MS", "p99_latency_ms"),
          field("IN_FLIGHT", "in_flight"),
          field("SENT", "bytes_sent", true),
          field("RECEIVED", "bytes_received", true),
          field("RATE_LIMITED", "rate_limited", true),
          field("CIRCUIT_REJECTED", "circuit_rejected", true),
          field("MAINT_HITS", "maintenance_hits", true),
          field("DRAIN_REJECTED", "drain_rejected", true),
          field("STATUS_CODES", "status_codes", true)};
}

std::vector<Column> bulk_columns() { return {field("ROUTE", "route_id"), state_field("STATUS", "status")}; }

// ROUTE_TABLE nests backends in pools; one row per backend reads best.
Json flatten_route_table(const Json& pools) {
  Json rows = Json::array();
  for (const auto& pool : pools) {
    for (const auto& backend : pool.value("backends", Json::array())) {
      Json row = backend;
      row["host"] = pool.value("host", Json());
      row["path"] = pool.value("path", Json());
      row["priority"] = pool.value("priority", Json());
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::vector<Column> route_table_columns() {
  return {field("HOST", "host"),
          field("PATH", "path"),
          field("PRIORITY", "priority"),
          field("ROUTE", "route_id"),
          field("BACKEND", "backend"),
          {"INSTANCE",
           [](const Json& row) {
             return Cell{value_text(row.value("service_name", Json())) + "/" +
                         value_text(row.value("instance_name", Json()))};
           }},
          {"HEALTH", [](const Json& row) { return health_cell(row.value("healthy", Json())); }},
          state_field("CIRCUIT", "circuit"),
          {"TRAFFIC", traffic_cell},
          field("WEIGHT", "weight", true)};
}

std::vector<Column> generic_columns(const Json& rows) {
  std::vector<Column> columns;
  if (rows.empty() || !rows.front().is_object()) return {{"VALUE", [](const Json& item) { return Cell{value_text(item)}; }}};
  for (const auto& [key, ignored] : rows.front().items()) {
    std::string header = key;
    for (auto& c : header) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    columns.push_back(field(header, key));
  }
  return columns;
}

std::vector<Column> columns_for(std::string_view code, const Json& rows) {
  if (code == "ROUTE_LIST_OK") return route_list_columns();
  if (code == "ROUTE_TABLE_OK") return route_table_columns();
  if (code == "SESSION_LIST_OK") return session_columns();
  if (code == "STATS_OK") return stats_columns();
  if (code == "ROUTE_BULK_OK") return bulk_columns();
  return generic_columns(rows);
}

void print_rows(std::ostream& out, std::string_view code, const Json& rows, Format format, const Palette& palette,
                bool borders) {
  const auto columns = columns_for(code, rows);
  if (format == Format::plain) {
    // The identifying column, one per line: `for r in $(regctl route list)`.
    for (const auto& row : rows) out << columns.front().cell(row).text << '\n';
    return;
  }
  std::vector<std::string> headers;
  for (const auto& column : columns)
    if (!column.wide_only || format == Format::wide) headers.push_back(column.header);
  Table table(std::move(headers));
  for (const auto& row : rows) {
    std::vector<Cell> cells;
    for (const auto& column : columns)
      if (!column.wide_only || format == Format::wide) cells.push_back(column.cell(row));
    table.add_row(std::move(cells));
  }
  table.render(out, palette, borders);
}

Tone tone_of_field(const std::string& key, const Json& value) {
  if (value.is_boolean()) {
    const bool on = value.get<bool>();
    if (key == "healthy" || key == "reachable" || key == "tls_valid") return on ? Tone::green : Tone::red;
    if (key == "in_maintenance" || key == "draining" || key == "active") return on ? Tone::yellow : Tone::none;
    return Tone::none;
  }
  if (value.is_string()) return tone_of_state(value.get<std::string>());
  return Tone::none;
}

void print_object(std::ostream& out, const Json& object, Format format, const Palette& palette) {
  std::size_t width = 0;
  for (const auto& [key, ignored] : object.items()) width = std::max(width, key.size());
  for (const auto& [key, value] : object.items()) {
    const std::string text = value_text(value);
    if (format == Format::plain) {
      out << key << '=' << text << '\n';
      continue;
    }
    out << palette.paint(key + ":", Tone::bold) << std::string(width - key.size() + 2, ' ')
        << palette.paint(text, tone_of_field(key, value)) << '\n';
  }
}

}  // namespace

std::string value_text(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string text;
    for (const auto& item : value) text += (text.empty() ? "" : ",") + value_text(item);
    return text.empty() ? "-" : text;
  }
  if (value.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value.get<double>());
    std::string shown = text;
    if (shown.ends_with(".0")) shown.resize(shown.size() - 2);
    return shown;
  }
  return value.dump();
}

Json parse_payload(const Reply& reply) {
  Json value = Json::parse(reply.payload, nullptr, false);
  if (value.is_discarded()) throw Failure(exit_server_error, "regd sent a reply that is not JSON: " + reply.line);
  return value;
}

bool has_single_value_reply(const reg::CommandSpec& spec) { return !spec.reply.ends_with("|json"); }

void print_reply_json(std::ostream& out, const reg::CommandSpec& spec, const Reply& reply, const OutputMode& mode) {
  if (!has_single_value_reply(spec)) {
    if (mode.stdout_terminal) out << parse_payload(reply).dump(2) << '\n';
    else out << reply.payload << '\n';
    return;
  }
  Json value{{"reply", reply.code}};
  const auto bar = spec.reply.find('|');
  if (bar != std::string_view::npos && !reply.payload.empty()) value[std::string(spec.reply.substr(bar + 1))] = reply.payload;
  out << value.dump() << '\n';
}

void print_json_view(std::ostream& out, std::string_view code, const Json& value, Format format,
                     const Palette& palette, bool borders) {
  if (code == "DIFF_OK") {
    print_diff(out, value, palette);
    return;
  }
  if (code == "ROUTE_TABLE_OK") {
    print_rows(out, code, flatten_route_table(value), format, palette, borders);
    return;
  }
  if (value.is_array()) {
    print_rows(out, code, value, format, palette, borders);
    return;
  }
  if (code == "STATS_OK" && format != Format::plain) {  // one route: still a stats row
    print_rows(out, code, Json::array({value}), format, palette, borders);
    return;
  }
  if (code == "DRAIN_STATUS_OK" && format != Format::plain) {
    out << drain_progress_line(value, palette) << "\n\n";
  }
  print_object(out, value, format, palette);
}

void print_reply(std::ostream& out, const reg::CommandSpec& spec, const Reply& reply, Format format,
                 const OutputMode& mode, const Palette& palette) {
  if (format == Format::json) {
    print_reply_json(out, spec, reply, mode);
    return;
  }
  if (!has_single_value_reply(spec)) {
    print_json_view(out, reply.code, parse_payload(reply), format, palette, mode.borders);
    return;
  }
  if (!reply.payload.empty()) {
    out << reply.payload << '\n';
  } else if (format != Format::plain) {
    out << palette.paint(reply.code.ends_with("_OK") ? "OK" : reply.code, Tone::green) << '\n';
  }
  if (spec.staged && mode.stdout_terminal && format != Format::plain) {
    out << palette.paint("staged: `regctl config diff` shows it, `regctl config apply` makes it live", Tone::dim)
        << '\n';
  }
}

}  // namespace regctl
