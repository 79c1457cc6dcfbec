#include "daemon/config/setting_table.hpp"

#include <fstream>
#include <sstream>

namespace reg::config {
namespace {

Status assign_address(std::string_view text, HostPort& target) {
  auto parsed = parse_host_port(text);
  if (!parsed) return Error{parsed.error()};
  target = std::move(*parsed);
  return success();
}

// Zero is refused where it would expire at once, and kept where "at once" is
// a choice an operator can mean.
enum class ZeroDuration { refused, means_at_once };

Status assign_duration(std::string_view text, Milliseconds& target, ZeroDuration zero = ZeroDuration::refused) {
  auto parsed = zero == ZeroDuration::refused ? parse_positive_duration(text) : parse_duration(text);
  if (!parsed) return Error{parsed.error()};
  target = *parsed;
  return success();
}

template <class Integer>
Status assign_integer(std::string_view text, Integer& target, std::int64_t min, std::int64_t max) {
  auto parsed = parse_integer(text, min, max, "number");
  if (!parsed) return Error{parsed.error()};
  target = static_cast<Integer>(*parsed);
  return success();
}

// The token is read when the settings are loaded, so SIGHUP picks up a
// rotated token from the same file.
Status assign_token_file(std::string_view path_text, std::string& token) {
  const std::string path(path_text);
  std::ifstream file(path);
  if (!file) return make_error("cannot read " + path);
  std::stringstream content;
  content << file.rdbuf();
  std::string read = content.str();
  while (!read.empty() && (read.back() == '\n' || read.back() == '\r' || read.back() == ' ')) read.pop_back();
  if (read.empty()) return make_error(path + " is empty");
  if (read.find_first_of("|\n") != std::string::npos) return make_error("the token may not contain | or a line break");
  token = std::move(read);
  return success();
}

}  // namespace

const std::vector<SettingSpec>& setting_table() {
  using W = WhenApplied;
  static const std::vector<SettingSpec> table = {
      {"control", "ADDR:PORT", "127.0.0.1:81", "control protocol address", W::at_restart,
       [](std::string_view text, DaemonOptions& o) { return assign_address(text, o.control.listen); }},
      {"listen", "ADDR:PORT", "0.0.0.0:80", "HTTP proxy address", W::at_restart,
       [](std::string_view text, DaemonOptions& o) { return assign_address(text, o.proxy.listen); }},
      {"admin", "ADDR:PORT", "127.0.0.1:9181", "admin HTTP address (/healthz, /metrics)", W::at_restart,
       [](std::string_view text, DaemonOptions& o) { return assign_address(text, o.admin); }},
      {"workers", "N", "", "proxy worker threads, 1 to 256 (default: the CPUs regd may run on, within its CPU quota)", W::at_restart,
       [](std::string_view text, DaemonOptions& o) { return assign_integer(text, o.proxy.workers, 1, 256); }},
      {"worker_cpu_affinity", "MODE", "auto",
       "auto: two or more workers, no more than the CPUs, each get a CPU of their own; off: the scheduler decides",
       W::at_restart,
       [](std::string_view text, DaemonOptions& o) -> Status {
         auto affinity = proxy::parse_worker_affinity(text);
         if (!affinity) return Error{affinity.error()};
         o.proxy.worker_affinity = *affinity;
         return success();
       }},
      {"session_grace", "DURATION", "5m", "how long a detached session waits for RECONNECT (0: it ends at once)",
       W::on_reload,
       [](std::string_view text, DaemonOptions& o) {
         return assign_duration(text, o.control.session_grace, ZeroDuration::means_at_once);
       }},
      {"staged_ttl", "DURATION", "30m", "unapplied staged changes expire after this idle time", W::on_reload,
       [](std::string_view text, DaemonOptions& o) { return assign_duration(text, o.control.staged_ttl); }},
      {"maint_verify_timeout", "DURATION", "60s", "how long MAINT_ENTER/EXIT wait for backends to answer",
       W::on_reload,
       [](std::string_view text, DaemonOptions& o) { return assign_duration(text, o.control.maint_verify_timeout); }},
      {"shutdown_timeout", "DURATION", "10s", "how long requests in flight may finish on stop (0: they are cut at once)",
       W::on_reload,
       [](std::string_view text, DaemonOptions& o) {
         return assign_duration(text, o.shutdown_timeout, ZeroDuration::means_at_once);
       }},
      {"auth_token_file", "FILE", "", "file holding the token clients must AUTH with", W::on_reload,
       [](std::string_view text, DaemonOptions& o) { return assign_token_file(text, o.control.auth_token); }},
      {"trusted_proxies", "CIDR,CIDR", "", "peers whose X-Forwarded-For names the client for rate limits",
       W::on_reload,
       [](std::string_view text, DaemonOptions& o) -> Status {
         auto networks = parse_cidr_list(text);
         if (!networks) return Error{networks.error()};
         o.proxy.trusted_proxies.publish(proxy::TrustedProxies(std::move(*networks)));
         return success();
       }},
      {"log_level", "LEVEL", "info", "debug, info, warn or error", W::on_reload,
       [](std::string_view text, DaemonOptions& o) -> Status {
         if (log::parse_level(text, o.log_level)) return success();
         return make_error("invalid log level: '" + std::string(text) + "' (expected debug, info, warn or error)");
       }},
      {"max_line_bytes", "N", "1048576", "longest protocol line accepted (new connections after a reload)",
       W::on_reload,
       [](std::string_view text, DaemonOptions& o) {
         return assign_integer(text, o.control.max_line_bytes, 64, std::int64_t{1} << 30);
       }},
      {"event_queue_limit", "N", "1024", "events kept per slow subscriber", W::on_reload,
       [](std::string_view text, DaemonOptions& o) {
         return assign_integer(text, o.control.event_queue_limit, 1, 1 << 20);
       }},
      {"max_routes_per_session", "N", "100000", "route limit of one session", W::on_reload,
       [](std::string_view text, DaemonOptions& o) {
         return assign_integer(text, o.control.max_routes_per_session, 1, 10'000'000);
       }},
      {"max_sessions", "N", "100000", "sessions the daemon holds at most", W::on_reload,
       [](std::string_view text, DaemonOptions& o) {
         return assign_integer(text, o.control.max_sessions, 1, 10'000'000);
       }},
      {"max_connections", "N", "10000", "open control connections at most", W::on_reload,
       [](std::string_view text, DaemonOptions& o) {
         return assign_integer(text, o.control.max_connections, 1, 1'000'000);
       }},
      {"auth_timeout", "DURATION", "10s", "with a token, close connections not authenticated by then", W::on_reload,
       [](std::string_view text, DaemonOptions& o) { return assign_duration(text, o.control.auth_timeout); }},
      {"max_header_bytes", "N", "65536", "largest HTTP request header (431 beyond)", W::at_restart,
       [](std::string_view text, DaemonOptions& o) {
         return assign_integer(text, o.proxy.max_header_bytes, 1024, std::int64_t{16} << 20);
       }},
      {"header_timeout", "DURATION", "10s", "time for a client to send a request header (408 after)", W::at_restart,
       [](std::string_view text, DaemonOptions& o) { return assign_duration(text, o.proxy.client_header_timeout); }},
      {"keepalive_timeout", "DURATION", "60s", "idle HTTP client connections are closed after this", W::at_restart,
       [](std::string_view text, DaemonOptions& o) { return assign_duration(text, o.proxy.client_idle_timeout); }},
      {"state_dir", "DIR", "/var/lib/regd", "directory of the state database (sessions and configuration)",
       W::at_restart,
       [](std::string_view text, DaemonOptions& o) -> Status {
         if (text.empty()) return make_error("expected a directory, got an empty path");
         o.state_dir = std::string(text);
         return success();
       }},
      {"access_log", "FILE", "", "one logfmt line per proxied request to FILE (- is stderr; empty: none)",
       W::at_restart,
       [](std::string_view text, DaemonOptions& o) -> Status {
         o.proxy.access_log = std::string(text);
         return success();
       }},
  };
  return table;
}

const SettingSpec* find_setting(std::string_view key) {
  for (const auto& spec : setting_table())
    if (spec.key == key) return &spec;
  return nullptr;
}

std::string flag_name(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag)
    if (c == '_') c = '-';
  return flag;
}

}  // namespace reg::config
