// regctl as operators and scripts use it: the real binary against a real regd,
// checking what they see (stdout, stderr, exit status) and what regd did.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/control.hpp"
#include "support/eventually.hpp"
#include "support/free_port.hpp"
#include "support/http_backend.hpp"
#include "support/regctl_runner.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using namespace std::chrono_literals;

std::string trimmed(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

bool has_ansi(const std::string& text) { return text.find('\x1b') != std::string::npos; }

// Runs regctl and requires exit 0, showing stderr otherwise.
std::string ok(const Regctl& regctl, const std::vector<std::string>& args, const EnvChanges& env = {},
               const std::string& input = "") {
  const auto result = regctl.run(args, env, input);
  INFO("regctl stderr: " << result.err);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

json ok_json(const Regctl& regctl, std::vector<std::string> args) {
  args.insert(args.begin(), {"-o", "json"});
  return json::parse(ok(regctl, args));
}

// A regd, a regctl pointed at it, and a persistent session in REGCTL_SESSION.
struct Setup {
  RegdProcess regd;
  Regctl regctl{regd.control()};
  std::string session;

  explicit Setup(std::vector<std::string> flags = {}) : regd(std::move(flags)) {
    session = trimmed(ok(regctl, {"register", "svc", "inst1"}));
    regctl.set_env("REGCTL_SESSION", session);
  }
};

std::string closed_port_address() { return "127.0.0.1:" + std::to_string(free_loopback_port()); }

// Every line of `out` as JSON; a line that is not JSON fails the test.
std::vector<json> json_lines(const std::string& out) {
  std::vector<json> documents;
  std::size_t start = 0;
  for (auto end = out.find('\n'); end != std::string::npos; start = end + 1, end = out.find('\n', start)) {
    const std::string line = out.substr(start, end - start);
    INFO("stdout line: " << line);
    REQUIRE(json::accept(line));
    documents.push_back(json::parse(line));
  }
  CHECK(start == out.size());  // no unfinished last line
  return documents;
}

}  // namespace

TEST_CASE("cli: register prints the bare session id and makes a persistent session", "[cli]") {
  RegdProcess regd;
  Regctl regctl(regd.control());
  const auto result = regctl.run({"register", "billing", "billing-1", "--maintenance-port", "9000", "--meta",
                                  "team=payments"});
  REQUIRE(result.exit_code == 0);
  const std::string session = trimmed(result.out);
  CHECK_THAT(session, StartsWith("s"));
  CHECK(result.out == session + "\n");  // nothing but the id: S=$(regctl register ...)

  Control control(regd.control());
  const auto info = reply_json(control.send("SESSION_INFO|" + session), "SESSION_OK");
  CHECK(info["lease"] == "persistent");
  CHECK(info["maintenance_port"] == 9000);
  CHECK(info["metadata"]["team"] == "payments");

  const auto connection_lease = trimmed(ok(regctl, {"register", "billing", "billing-2", "--lease", "connection"}));
  CHECK(reply_json(control.send("SESSION_INFO|" + connection_lease), "SESSION_OK")["lease"] == "connection");

  const auto as_json = ok_json(regctl, {"register", "billing", "billing-3"});
  CHECK(as_json["reply"] == "ACK");
  CHECK_THAT(as_json["session_id"].get<std::string>(), StartsWith("s"));
}

TEST_CASE("cli: route add is staged, config apply makes it live in the route table", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  const auto route = trimmed(ok(regctl, {"route", "add", "--domains", "a.example.com,b.example.com", "--path", "/api",
                                         "--backend", "http://127.0.0.1:9000", "--priority", "5"}));
  CHECK(route == "r1");

  auto routes = ok_json(regctl, {"route", "list"});
  REQUIRE(routes.size() == 1);
  CHECK(routes[0]["route_id"] == "r1");
  CHECK(routes[0]["status"] == "staged");
  CHECK(routes[0]["domains"] == json::array({"a.example.com", "b.example.com"}));
  CHECK(routes[0]["priority"] == 5);

  const auto table = ok(regctl, {"route", "list"});
  CHECK_THAT(table, Contains("ROUTE") && Contains("STATUS") && Contains("staged") && Contains("/api"));
  CHECK(ok(regctl, {"route", "list", "-o", "plain"}) == "r1\n");
  CHECK(ok_json(regctl, {"route", "table"}).empty());

  CHECK(ok(regctl, {"config", "validate"}).empty());
  ok(regctl, {"config", "apply"});
  CHECK(ok_json(regctl, {"route", "list"})[0]["status"] == "active");
  const auto live = ok_json(regctl, {"route", "table"});
  REQUIRE(live.size() == 2);
  CHECK(live[0]["host"] == "a.example.com");
  CHECK(live[0]["backends"][0]["route_id"] == "r1");
  CHECK_THAT(ok(regctl, {"route", "table"}), Contains("b.example.com") && Contains("svc/inst1"));

  ok(regctl, {"route", "remove", "r1"});
  CHECK(ok_json(regctl, {"route", "list"})[0]["status"] == "pending_removal");
  ok(regctl, {"config", "rollback"});
  CHECK(ok_json(regctl, {"route", "list"})[0]["status"] == "active");
}

TEST_CASE("cli: config diff draws added, modified and removed changes, and --exit-code", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  auto diff = regctl.run({"config", "diff", "--exit-code"});
  CHECK(diff.exit_code == 0);
  CHECK_THAT(diff.out, Contains("no staged changes"));

  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", "http://127.0.0.1:9000"});
  ok(regctl, {"route", "add", "--domains", "b.com", "--backend", "http://127.0.0.1:9001"});
  ok(regctl, {"config", "apply"});
  ok(regctl, {"route", "update", "r1", "backend_url", "http://127.0.0.1:9100"});
  ok(regctl, {"route", "remove", "r2"});
  ok(regctl, {"route", "add", "--domains", "c.com", "--backend", "http://127.0.0.1:9002"});
  ok(regctl, {"headers", "set", "ALL", "X-Frame-Options", "DENY"});

  diff = regctl.run({"config", "diff", "--exit-code"});
  CHECK(diff.exit_code == 1);
  CHECK_THAT(diff.out, Contains("+ route r3") && Contains("domains=c.com"));
  CHECK_THAT(diff.out, Contains("~ route r1"));
  CHECK_THAT(diff.out, Contains("backend: http://127.0.0.1:9000 → http://127.0.0.1:9100"));
  CHECK_THAT(diff.out, Contains("- route r2") && Contains("domains=b.com"));
  CHECK_THAT(diff.out, Contains("+ header ALL X-Frame-Options") && Contains("DENY"));
  CHECK_THAT(diff.out, Contains("4 staged changes: 2 added, 1 modified, 1 removed"));
  CHECK_FALSE(has_ansi(diff.out));

  const auto coloured = regctl.run({"config", "diff", "--color", "always"});
  CHECK_THAT(coloured.out, Contains("\x1b[32m+ route r3") && Contains("\x1b[31m- route r2") &&
                               Contains("\x1b[33m~ route r1"));

  const auto as_json = ok_json(regctl, {"config", "diff"});
  CHECK(as_json["routes"]["added"] == json::array({"r3"}));
  CHECK(as_json["changes"].size() == 4);
  // Without --exit-code a diff with changes still succeeds.
  CHECK(regctl.run({"config", "diff"}).exit_code == 0);
}

TEST_CASE("cli: headers, options, health, rate limits and circuit breakers", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  HttpBackend backend("A");
  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", backend.url()});
  ok(regctl, {"config", "apply"});

  ok(regctl, {"headers", "set", "r1", "X-Team", "a|b"});
  ok(regctl, {"headers", "remove", "ALL", "X-Old"});
  ok(regctl, {"options", "set", "r1", "timeout", "5s"});
  ok(regctl, {"options", "remove", "r1", "weight"});
  ok(regctl, {"health", "set", "r1", "/healthz", "10s", "2s"});
  ok(regctl, {"ratelimit", "set", "ALL", "100", "1m"});
  ok(regctl, {"circuit", "set", "r1", "5", "30s", "2"});
  const auto diff = ok_json(regctl, {"config", "diff"});
  CHECK(diff["headers"]["added"] == 1);
  CHECK(diff["options"]["added"] == 1);
  CHECK(diff["health"]["added"] == 1);
  CHECK(diff["ratelimit"]["added"] == 1);
  CHECK(diff["circuit"]["added"] == 1);

  // --only applies some kinds and leaves the rest staged.
  ok(regctl, {"config", "apply", "--only", "headers,options"});
  const auto rest = ok_json(regctl, {"config", "diff"});
  CHECK(rest["headers"]["added"] == 0);
  CHECK(rest["health"]["added"] == 1);
  ok(regctl, {"config", "apply"});

  const auto circuit = ok_json(regctl, {"circuit", "status", "r1"});
  CHECK(circuit["route_id"] == "r1");
  CHECK(circuit["state"] == "closed");
  CHECK_THAT(ok(regctl, {"circuit", "status", "r1"}), Contains("state:") && Contains("closed"));
  ok(regctl, {"circuit", "reset", "r1"});

  // The value's type depends on the key, so regd judges it: its ERROR is exit 5.
  const auto bad_option = regctl.run({"options", "set", "r1", "timeout", "soon"});
  CHECK(bad_option.exit_code == 5);
  CHECK_THAT(bad_option.err, Contains("invalid option timeout"));
}

TEST_CASE("cli: route add-bulk reads a file or stdin", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  const std::string routes =
      R"([{"domains":["a.com"],"path":"/","backend_url":"http://127.0.0.1:9000","priority":0},
          {"domains":["b.com"],"path":"/x","backend_url":"http://127.0.0.1:9001","priority":1}])";
  const auto from_stdin = json::parse(ok(regctl, {"-o", "json", "route", "add-bulk", "-"}, {}, routes));
  REQUIRE(from_stdin.size() == 2);
  CHECK(from_stdin[0] == json({{"route_id", "r1"}, {"status", "ok"}}));
  CHECK_THAT(ok(regctl, {"route", "list"}), Contains("b.com") && Contains("/x"));

  TempDir dir("regctl-bulk");
  const auto file = dir.write_file("routes.json",
                                   R"([{"domains":["c.com"],"path":"/","backend_url":"http://127.0.0.1:9002","priority":0}])");
  CHECK_THAT(ok(regctl, {"route", "add-bulk", file.string()}), Contains("r3") && Contains("ok"));
  CHECK(ok_json(regctl, {"route", "list"}).size() == 3);

  const auto not_json = regctl.run({"route", "add-bulk", dir.write_file("bad.json", "{oops").string()});
  CHECK(not_json.exit_code == 2);
  CHECK_THAT(not_json.err, Contains("expected a JSON array"));
  const auto invalid_entry = regctl.run({"route", "add-bulk", "-"}, {}, R"([{"domains":["d.com"],"path":"x","backend_url":"http://b","priority":0}])");
  CHECK(invalid_entry.exit_code == 5);
  CHECK_THAT(invalid_entry.err, Contains("route 1:"));
  CHECK(ok_json(regctl, {"route", "list"}).size() == 3);
}

TEST_CASE("cli: sessions, ping, version, stats, backend test and raw", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  HttpBackend backend("A");

  CHECK(ok(regctl, {"ping"}).empty());  // a single bare reply prints nothing off a terminal
  CHECK(ok(regctl, {"ping", "-o", "table"}) == "PONG\n");
  CHECK(ok_json(regctl, {"session", "info"})["session_id"] == setup.session);
  const auto sessions = ok_json(regctl, {"session", "list"});
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["service_name"] == "svc");
  CHECK(ok(regctl, {"session", "list", "-o", "plain"}) == setup.session + "\n");

  const auto version = ok_json(regctl, {"version"});
  CHECK_THAT(version["client"].get<std::string>(), StartsWith("regctl "));
  CHECK(version["server"]["protocol"] == 2);
  CHECK_THAT(ok(regctl, {"version"}), Contains("client:") && Contains("server:") && Contains("regd"));

  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", backend.url()});
  ok(regctl, {"config", "apply"});
  const auto stats = ok_json(regctl, {"stats"});
  REQUIRE(stats.size() == 1);
  CHECK(stats[0]["route_id"] == "r1");
  CHECK(ok_json(regctl, {"stats", "r1"})["requests"] == 0);
  CHECK_THAT(ok(regctl, {"stats"}), Contains("REQUESTS") && Contains("r1"));

  const auto probe = ok_json(regctl, {"backend", "test", backend.url()});
  CHECK(probe["reachable"] == true);
  CHECK(probe["status_code"] == 200);

  const auto raw = regctl.run({"raw", "PING", "ROUTE_LIST|" + setup.session});
  CHECK(raw.exit_code == 0);
  CHECK_THAT(raw.out, StartsWith("PONG\nROUTE_LIST_OK|[{"));

  ok(regctl, {"events", "unsubscribe", "all"});
  CHECK(ok(regctl, {"session", "reconnect", "-o", "json"}) == R"({"reply":"OK"})" "\n");
  ok(regctl, {"session", "shutdown"});
  const auto gone = regctl.run({"session", "info"});
  CHECK(gone.exit_code == 4);
  CHECK_THAT(gone.err, Contains("regctl: error: session not found"));
  const auto reconnect = regctl.run({"session", "reconnect"});
  CHECK(reconnect.exit_code == 4);
}

TEST_CASE("cli: exit statuses tell the outcomes apart", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;

  CHECK(regctl.run({"ping"}).exit_code == 0);

  const auto unknown = regctl.run({"rout", "list"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Contains("unknown command \"rout\"") && Contains("route"));

  const auto missing = regctl.run({"route", "remove"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("ROUTE_ID is required"));

  const auto bad_duration = regctl.run({"drain", "start", "soon"});
  CHECK(bad_duration.exit_code == 2);
  CHECK_THAT(bad_duration.err, Contains("invalid duration: soon"));

  // CLI11's own parse errors (codes from 100 up) come out as 2.
  const auto unknown_flag = regctl.run({"route", "list", "--bogus"});
  CHECK(unknown_flag.exit_code == 2);
  CHECK_THAT(unknown_flag.err, StartsWith("regctl: error: "));
  CHECK(regctl.run({"--timeout"}).exit_code == 2);
  CHECK(regctl.run({"route", "add", "--domains", "a.com"}).exit_code == 2);
  CHECK(regctl.run({"route", "add", "--domains", "a.com", "--backend", "ftp://x"}).exit_code == 2);

  const auto help = regctl.run({"route", "add", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Contains("--domains") && Contains("Example: regctl route add --domains"));

  const auto unreachable = regctl.run({"ping"}, {{"REGCTL_SERVER", closed_port_address()}});
  CHECK(unreachable.exit_code == 3);
  CHECK_THAT(unreachable.err, StartsWith("regctl: error: cannot connect to 127.0.0.1:"));

  const auto no_session = regctl.run({"route", "list"}, {{"REGCTL_SESSION", "s9-00000000000000000000000000000000"}});
  CHECK(no_session.exit_code == 4);
  CHECK_THAT(no_session.err, Contains("session not found"));

  const auto server_error = regctl.run({"route", "update", "r7", "priority", "1"});
  CHECK(server_error.exit_code == 5);
  CHECK(server_error.err == "regctl: error: route not found: r7\n");

  const auto without_session = regctl.run({"route", "list"}, {{"REGCTL_SESSION", std::nullopt}});
  CHECK(without_session.exit_code == 2);
  CHECK_THAT(without_session.err, Contains("no session"));
}

TEST_CASE("cli: raw refuses an empty line or one with a line break before sending anything", "[cli]") {
  RegdProcess regd;
  Regctl regctl(regd.control());
  // regd ignores an empty line (and a lone CR, which it drops first): no reply would ever come.
  for (const std::string line : {"", "\r", "PING\nPING"}) {
    INFO("line of " << line.size() << " bytes");
    const auto refused = regctl.run({"--timeout", "2s", "raw", "PING", line});
    CHECK(refused.exit_code == 2);
    CHECK(refused.out.empty());  // not even the PING before it
    CHECK_THAT(refused.err, StartsWith("regctl: error: ") && Contains("a protocol line may not"));
  }
  // Spaces are not an empty line: regd answers them.
  const auto spaces = regctl.run({"raw", "  "});
  CHECK(spaces.exit_code == 5);
  CHECK_THAT(spaces.out, StartsWith("ERROR|unknown command"));
}

TEST_CASE("cli: a server that stops answering is a timeout, not a hang", "[cli]") {
  // A listening socket nobody accepts from: connect succeeds, no reply comes.
  RegdProcess regd;
  Regctl regctl(regd.control());
  ::kill(regd.pid(), SIGSTOP);
  const auto started = std::chrono::steady_clock::now();
  const auto result = regctl.run({"--timeout", "300ms", "ping"});
  ::kill(regd.pid(), SIGCONT);
  CHECK(result.exit_code == 3);
  CHECK_THAT(result.err, Contains("timed out"));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("cli: colour only on request, NO_COLOR and pipes get plain text", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", "http://127.0.0.1:9000"});

  const auto piped = ok(regctl, {"route", "list"});
  CHECK_FALSE(has_ansi(piped));
  CHECK(piped.find("│") == std::string::npos);  // no borders off a terminal

  CHECK_FALSE(has_ansi(ok(regctl, {"route", "list", "--color", "auto"}, {{"NO_COLOR", "1"}})));
  CHECK_FALSE(has_ansi(ok(regctl, {"route", "list", "--color", "never"})));

  const auto coloured = ok(regctl, {"route", "list", "--color", "always"});
  CHECK(has_ansi(coloured));
  CHECK_THAT(coloured, Contains("\x1b[33mstaged"));
  CHECK_THAT(coloured, Contains("│"));

  const auto bad = regctl.run({"route", "list", "--color", "sometimes"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("auto, always, never"));
}

TEST_CASE("cli: contexts: set, use, list, and flag > env > context > default", "[cli]") {
  RegdProcess regd;
  Regctl regctl(regd.control());
  const std::string real = regd.control().to_string();
  const std::string dead = closed_port_address();
  regctl.set_env("REGCTL_SERVER", std::nullopt);

  // Default 127.0.0.1:81 has no regd here.
  CHECK(regctl.run({"--timeout", "1s", "ping"}).exit_code == 3);

  ok(regctl, {"context", "set", "live", "--server", real});
  ok(regctl, {"context", "set", "dead", "--server", dead});
  CHECK(ok(regctl, {"context", "current"}) == "live\n");  // the first context becomes current
  CHECK(regctl.run({"ping"}).exit_code == 0);

  ok(regctl, {"context", "use", "dead"});
  CHECK(regctl.run({"ping"}).exit_code == 3);                          // context
  CHECK(regctl.run({"ping"}, {{"REGCTL_SERVER", real}}).exit_code == 0);  // env beats context
  CHECK(regctl.run({"--server", real, "ping"}, {{"REGCTL_SERVER", dead}}).exit_code == 0);  // flag beats env
  CHECK(regctl.run({"--server", dead, "ping"}, {{"REGCTL_SERVER", real}}).exit_code == 3);
  CHECK(regctl.run({"--context", "live", "ping"}).exit_code == 0);

  const auto list = ok(regctl, {"context", "list"});
  CHECK_THAT(list, Contains("live") && Contains(dead) && Contains("*"));
  const auto as_json = ok_json(regctl, {"context", "list"});
  REQUIRE(as_json.size() == 2);
  CHECK(as_json[0]["name"] == "dead");
  CHECK(as_json[0]["current"] == true);

  // register --save stores the session in the current context.
  ok(regctl, {"context", "use", "live"});
  const auto session = trimmed(ok(regctl, {"register", "svc", "i1", "--save"}));
  CHECK(ok_json(regctl, {"session", "info"})["session_id"] == session);
  // A session from the environment beats the context's.
  CHECK(regctl.run({"session", "info"}, {{"REGCTL_SESSION", "s9-0"}}).exit_code == 4);

  struct stat info {};
  REQUIRE(::stat(regctl.config_file().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  std::ifstream file(regctl.config_file());
  const std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CHECK_THAT(content, Contains("current-context = \"live\"") && Contains(session));

  const auto unknown = regctl.run({"context", "use", "nowhere"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Contains("no context named \"nowhere\""));
  ok(regctl, {"context", "delete", "dead"});
  CHECK(ok(regctl, {"context", "list", "-o", "plain"}) == "live\n");
}

TEST_CASE("cli: contexts: any printable name survives the file, empty ones and control characters are refused",
          "[cli]") {
  RegdProcess regd;
  Regctl regctl(regd.control());
  const std::string real = regd.control().to_string();
  regctl.set_env("REGCTL_SERVER", std::nullopt);

  std::vector<std::string> names = {"bob's", "'quoted'", "a b", "a\"b", "a]b", "x.y", "back\\slash", "héllo", "plain"};
  for (const auto& name : names) ok(regctl, {"context", "set", name, "--server", real});
  std::sort(names.begin(), names.end());
  std::string listed;
  for (const auto& name : names) listed += name + "\n";
  CHECK(ok(regctl, {"context", "list", "-o", "plain"}) == listed);
  for (const auto& name : names) {
    INFO("context " << name);
    CHECK(regctl.run({"--context", name, "ping"}).exit_code == 0);
    ok(regctl, {"context", "use", name});
    CHECK(ok(regctl, {"context", "current"}) == name + "\n");
  }

  for (const std::string name : {"", "a\tb", "a\nb", "bell\a", "a\x7f"}) {
    INFO("context name of " << name.size() << " bytes");
    const auto refused = regctl.run({"context", "set", name, "--server", real});
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Contains("context name"));
    CHECK(regctl.run({"--context", name, "ping"}).exit_code == 2);
  }
  CHECK(ok(regctl, {"context", "list", "-o", "plain"}) == listed);

  for (const auto& name : names) ok(regctl, {"context", "delete", name});
  CHECK(ok(regctl, {"context", "list", "-o", "plain"}).empty());

  // Settings are free text: quotes and line breaks come back as they went in.
  const std::string session = "\ns'1\n\"x\"";
  const std::string token_file = "/tmp/it's\tmine\n";
  ok(regctl, {"context", "set", "odd", "--session", session, "--token-file", token_file});
  const auto odd = ok_json(regctl, {"context", "list"});
  REQUIRE(odd.size() == 1);
  CHECK(odd[0]["session"] == session);
  CHECK(odd[0]["token_file"] == token_file);
}

TEST_CASE("cli: AUTH with a token file, a token in the environment or a context", "[cli]") {
  TempDir secrets("regctl-token");
  const auto token_file = secrets.write_file("token", "s3cret-token\n");
  const auto wrong_file = secrets.write_file("wrong", "nope\n");
  RegdProcess regd({"--auth-token-file", token_file.string()});
  Regctl regctl(regd.control());

  const auto refused = regctl.run({"session", "list"});
  CHECK(refused.exit_code == 5);
  CHECK_THAT(refused.err, Contains("authentication required"));

  CHECK(regctl.run({"--token-file", token_file.string(), "session", "list"}).exit_code == 0);
  CHECK(regctl.run({"session", "list"}, {{"REGCTL_TOKEN", "s3cret-token"}}).exit_code == 0);
  const auto wrong = regctl.run({"--token-file", wrong_file.string(), "session", "list"});
  CHECK(wrong.exit_code == 5);
  CHECK_THAT(wrong.err, Contains("authentication failed"));

  ok(regctl, {"context", "set", "secure", "--server", regd.control().to_string(), "--token-file", token_file.string()});
  CHECK(regctl.run({"session", "list"}).exit_code == 0);
  const auto missing = regctl.run({"--token-file", (secrets.path() / "absent").string(), "ping"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("cannot read token file"));
}

TEST_CASE("cli: __complete offers commands, flags and live route ids", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", "http://127.0.0.1:9000"});
  ok(regctl, {"route", "add", "--domains", "b.com", "--backend", "http://127.0.0.1:9001"});

  const auto top = ok(regctl, {"__complete", ""});
  CHECK_THAT(top, Contains("route\n") && Contains("register\n") && Contains("context\n"));
  CHECK_THAT(top, !Contains("__complete"));
  CHECK_THAT(ok(regctl, {"--help"}), !Contains("__complete") && Contains("completion"));
  CHECK(ok(regctl, {"__complete", "ro"}) == "route\n");
  CHECK(ok(regctl, {"__complete", "route", "re"}) == "remove\n");
  CHECK(ok(regctl, {"__complete", "route", "remove", ""}) == "r1\nr2\n");
  CHECK(ok(regctl, {"__complete", "headers", "set", ""}) == "ALL\nr1\nr2\n");
  CHECK(ok(regctl, {"__complete", "-o", ""}) == "table\nwide\njson\nplain\n");
  CHECK_THAT(ok(regctl, {"__complete", "drain", "start", "--"}), Contains("--wait\n") && Contains("--server\n"));
  CHECK_THAT(ok(regctl, {"__complete", "events", ""}), Contains("drain_completed\n") && Contains("unsubscribe\n"));
  CHECK_THAT(ok(regctl, {"__complete", "session", "info", "--session", ""}), Contains(setup.session));

  // Nothing, quickly, when regd cannot be asked.
  const auto started = std::chrono::steady_clock::now();
  CHECK(ok(regctl, {"__complete", "route", "remove", ""}, {{"REGCTL_SERVER", closed_port_address()}}).empty());
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("cli: drain start --wait shows progress and returns when the drain completes", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  const auto started = std::chrono::steady_clock::now();
  const auto result = regctl.run({"drain", "start", "1s", "--wait"});
  REQUIRE(result.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - started >= 900ms);
  CHECK_THAT(result.err, Contains("% drained") && Contains("completed"));
  CHECK_FALSE(has_ansi(result.err));  // progress lines, not a redrawn bar, off a terminal
  const auto status = ok_json(regctl, {"drain", "status"});
  CHECK(status["completed"] == true);
  CHECK(status["traffic_percent"] == 0);
  CHECK_THAT(ok(regctl, {"drain", "status"}), Contains("100% drained"));

  ok(regctl, {"drain", "cancel"});
  const auto none = regctl.run({"drain", "status"});
  CHECK(none.exit_code == 5);
  CHECK_THAT(none.err, Contains("no drain in progress"));
}

TEST_CASE("cli: maint enter --wait returns once the maintenance backend answers", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  HttpBackend service("service");
  HttpBackend page("maintenance");
  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", service.url()});
  ok(regctl, {"config", "apply"});

  const auto entered = regctl.run({"maint", "enter", "--page", page.url(), "--wait"});
  INFO(entered.err);
  REQUIRE(entered.exit_code == 0);
  CHECK(entered.out == "ALL\n");  // the confirmed target, from MAINT_OK|ALL
  CHECK(page.request_count() > 0);
  auto status = ok_json(regctl, {"maint", "status"});
  CHECK(status["in_maintenance"] == json::array({"r1"}));
  CHECK(status["maintenance_backend"] == page.url());

  const auto exited = regctl.run({"maint", "exit", "r1", "--wait", "-o", "json"});
  REQUIRE(exited.exit_code == 0);
  CHECK(json::parse(exited.out) == json({{"reply", "MAINT_OK"}, {"target", "r1"}}));
  CHECK(ok_json(regctl, {"maint", "status"})["in_maintenance"].empty());
}

TEST_CASE("cli: maint enter --wait reports regd's timeout when the page never answers", "[cli]") {
  Setup setup({"--maint-verify-timeout", "1s"});
  auto& regctl = setup.regctl;
  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", "http://127.0.0.1:9000"});
  ok(regctl, {"config", "apply"});
  const auto result = regctl.run({"maint", "enter", "--page", "http://" + closed_port_address(), "--wait"});
  CHECK(result.exit_code == 5);
  CHECK_THAT(result.err, Contains("regctl: error: timeout waiting for maintenance"));
}

TEST_CASE("cli: events streams until Ctrl-C and exits 0", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  auto events = regctl.start({"events", "drain_completed"});
  std::this_thread::sleep_for(300ms);
  ok(regctl, {"drain", "start", "1s"});
  CHECK(eventually([&] { return events->out_so_far().find("drain_completed") != std::string::npos; }));
  const auto result = events->interrupt();
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("drain_completed") && Contains("completed_at="));
}

TEST_CASE("cli: --watch refreshes until Ctrl-C and exits 0", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  ok(regctl, {"drain", "start", "1m"});
  auto watch = regctl.start({"drain", "status", "--watch", "--interval", "100ms"});
  CHECK(eventually([&] {
    const auto out = watch->out_so_far();
    const auto first = out.find("--- regctl drain status");
    return first != std::string::npos && out.find("--- regctl drain status", first + 1) != std::string::npos;
  }));
  const auto result = watch->interrupt();
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("traffic_percent:"));
}

TEST_CASE("cli: --watch -o json writes one JSON document per line and nothing else to stdout", "[cli]") {
  Setup setup;
  auto& regctl = setup.regctl;
  ok(regctl, {"route", "add", "--domains", "a.com", "--backend", "http://127.0.0.1:9000"});
  ok(regctl, {"config", "apply"});
  const auto lines_in = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };

  auto stats = regctl.start({"stats", "--watch", "--interval", "100ms", "-o", "json"});
  CHECK(eventually([&] { return lines_in(stats->out_so_far()) >= 3; }));
  const auto stats_result = stats->interrupt();
  CHECK(stats_result.exit_code == 0);
  for (const auto& frame : json_lines(stats_result.out)) {
    REQUIRE(frame.is_array());
    CHECK(frame.at(0)["route_id"] == "r1");
  }

  // Before the drain regd answers ERROR: that goes to stderr, the watch goes on.
  auto drain = regctl.start({"drain", "status", "-w", "--interval", "100ms", "-o", "json"});
  std::this_thread::sleep_for(300ms);
  ok(regctl, {"drain", "start", "1m"});
  CHECK(eventually([&] { return lines_in(drain->out_so_far()) >= 2; }));
  const auto drain_result = drain->interrupt();
  CHECK(drain_result.exit_code == 0);
  CHECK_THAT(drain_result.err, Contains("regctl: error: no drain in progress"));
  const auto frames = json_lines(drain_result.out);
  REQUIRE(frames.size() >= 2);
  for (const auto& frame : frames) CHECK(frame["active"] == true);
}

}  // namespace reg::test
