#include "daemon/config/daemon_options.hpp"

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

namespace reg::config {
namespace {

// CLI11 validators that turn protocol value formats into flag checks.
template <class Parse>
CLI::Validator format_check(std::string description, Parse parse) {
  return CLI::Validator(
      [parse](std::string& text) -> std::string {
        auto parsed = parse(text);
        return parsed ? std::string() : parsed.error();
      },
      std::move(description));
}

Result<std::string> read_token_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) return make_error("cannot read --auth-token-file " + path);
  std::stringstream content;
  content << file.rdbuf();
  std::string token = content.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return make_error("--auth-token-file " + path + " is empty");
  if (token.find_first_of("|\n") != std::string::npos) return make_error("--auth-token-file: the token may not contain | or a line break");
  return token;
}

}  // namespace

Result<DaemonOptions> parse_daemon_options(int argc, char** argv) {
  DaemonOptions options;
  options.proxy.workers = std::max(1u, std::thread::hardware_concurrency());
  std::string control = options.control.listen.to_string();
  std::string listen = options.proxy.listen.to_string();
  std::string admin = options.admin.to_string();
  std::string session_grace = "5m", staged_ttl = "30m", maint_verify = "60s", shutdown_timeout = "10s";
  std::string auth_timeout = "10s", header_timeout = "10s", keepalive_timeout = "60s";
  std::string token_file, log_level = "info", trusted_proxies, state_dir = options.state_dir.string();

  CLI::App app{"regd: dynamic reverse proxy with a registry control plane (protocol v2)", "regd"};
  app.set_version_flag("--version", "regd " REGD_VERSION);
  const auto address = format_check("ADDR:PORT", parse_host_port);
  const auto duration = format_check("DURATION", parse_duration);
  app.add_option("--control", control, "control protocol address")->capture_default_str()->check(address);
  app.add_option("--listen", listen, "HTTP proxy address")->capture_default_str()->check(address);
  app.add_option("--admin", admin, "admin HTTP address (/healthz, /metrics)")->capture_default_str()->check(address);
  app.add_option("--session-grace", session_grace, "how long a detached session waits for RECONNECT")
      ->capture_default_str()->check(duration);
  app.add_option("--staged-ttl", staged_ttl, "unapplied staged changes expire after this idle time")
      ->capture_default_str()->check(duration);
  app.add_option("--maint-verify-timeout", maint_verify, "how long MAINT_ENTER/EXIT wait for backends to answer")
      ->capture_default_str()->check(duration);
  app.add_option("--shutdown-timeout", shutdown_timeout, "how long requests in flight may finish on stop")
      ->capture_default_str()->check(duration);
  app.add_option("--auth-token-file", token_file, "file holding the token clients must AUTH with")
      ->check(CLI::ExistingFile);
  app.add_option("--trusted-proxies", trusted_proxies,
                 "peers whose X-Forwarded-For names the client for rate limits")
      ->check(format_check("CIDR,CIDR", parse_cidr_list));
  app.add_option("--state-dir", state_dir, "directory of the state database (sessions and configuration)")
      ->capture_default_str();
  app.add_option("--workers", options.proxy.workers, "proxy worker threads")->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  app.add_option("--log-level", log_level, "debug, info, warn or error")->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--max-line-bytes", options.control.max_line_bytes, "longest protocol line accepted")
      ->capture_default_str()->check(CLI::Range(std::size_t{64}, std::size_t{1} << 30));
  app.add_option("--event-queue-limit", options.control.event_queue_limit, "events kept per slow subscriber")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--max-routes-per-session", options.control.max_routes_per_session, "route limit of one session")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--max-sessions", options.control.max_sessions, "sessions the daemon holds at most")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--max-connections", options.control.max_connections, "open control connections at most")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--auth-timeout", auth_timeout, "with a token, close connections not authenticated by then")
      ->capture_default_str()->check(duration);
  app.add_option("--max-header-bytes", options.proxy.max_header_bytes, "largest HTTP request header (431 beyond)")
      ->capture_default_str()->check(CLI::Range(std::uint32_t{1024}, std::uint32_t{16} << 20));
  app.add_option("--header-timeout", header_timeout, "time for a client to send a request header (408 after)")
      ->capture_default_str()->check(duration);
  app.add_option("--keepalive-timeout", keepalive_timeout, "idle HTTP client connections are closed after this")
      ->capture_default_str()->check(duration);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return make_error("");
  } catch (const CLI::CallForVersion&) {
    std::cout << "regd " REGD_VERSION "\n";
    return make_error("");
  } catch (const CLI::ParseError& error) {
    return make_error(error.what());
  }

  options.control.listen = *parse_host_port(control);
  options.proxy.listen = *parse_host_port(listen);
  options.admin = *parse_host_port(admin);
  options.control.session_grace = *parse_duration(session_grace);
  options.control.staged_ttl = *parse_duration(staged_ttl);
  options.control.maint_verify_timeout = *parse_duration(maint_verify);
  options.shutdown_timeout = *parse_duration(shutdown_timeout);
  if (state_dir.empty()) return make_error("--state-dir: expected a directory, got an empty path");
  options.state_dir = state_dir;
  options.control.auth_timeout = *parse_duration(auth_timeout);
  options.proxy.client_header_timeout = *parse_duration(header_timeout);
  options.proxy.client_idle_timeout = *parse_duration(keepalive_timeout);
  log::parse_level(log_level, options.log_level);
  options.proxy.trusted_proxies = proxy::TrustedProxies(*parse_cidr_list(trusted_proxies));
  if (!token_file.empty()) {
    auto token = read_token_file(token_file);
    if (!token) return Error{token.error()};
    options.control.auth_token = std::move(*token);
  }
  return options;
}

}  // namespace reg::config
