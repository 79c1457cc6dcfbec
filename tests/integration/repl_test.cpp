// `regctl shell` as a person uses it: the real binary on a pseudo-terminal
// against a real regd, checking what the terminal shows and what regd did.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "support/control.hpp"
#include "support/regctl_runner.hpp"
#include "support/regd_process.hpp"
#include "support/terminal_regctl.hpp"

namespace reg::test {
namespace {

using Catch::Matchers::Contains;

// A regd with one session holding one staged route, r1, and a regctl
// pointed at it (the session in REGCTL_SESSION unless a test unsets it).
struct Setup {
  RegdProcess regd;
  Regctl regctl{regd.control()};
  std::string session;
  std::string server = regd.control().to_string();

  Setup() {
    const auto registered = regctl.run({"register", "svc", "inst1"});
    REQUIRE(registered.exit_code == 0);
    session = registered.out.substr(0, registered.out.find('\n'));
    regctl.set_env("REGCTL_SESSION", session);
    REQUIRE(regctl.run({"route", "add", "--domains", "a.example.com", "--backend", "http://127.0.0.1:9"}).exit_code == 0);
  }

  // "s1-6f1c…": how the prompt shows the session.
  std::string short_session() const { return session.substr(0, session.find('-') + 5) + "…"; }
  std::string prompt() const { return "regctl " + server + " " + short_session() + " (1 staged)> "; }
};

// Requires `text` to show up next, printing the whole screen when it does not.
#define REQUIRE_SHOWN(terminal, text)                        \
  do {                                                       \
    const bool shown = (terminal).wait_for(text);            \
    INFO("waited for: " << (text) << "\nscreen:\n" << (terminal).screen_text()); \
    REQUIRE(shown);                                          \
  } while (false)

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

TEST_CASE("repl: a command prints what it prints on the command line, and an error does not end the shell", "[repl]") {
  Setup setup;
  TerminalRegctl shell(setup.regctl, {"shell"});
  REQUIRE_SHOWN(shell, setup.prompt());

  shell.type("route list\r");
  REQUIRE_SHOWN(shell, "ROUTE");
  REQUIRE_SHOWN(shell, "a.example.com");
  REQUIRE_SHOWN(shell, "staged");
  REQUIRE_SHOWN(shell, setup.prompt());

  shell.type("route remove r99\r");
  REQUIRE_SHOWN(shell, "regctl: error: route not found: r99");
  REQUIRE_SHOWN(shell, setup.prompt());
  shell.type("frobnicate\r");
  REQUIRE_SHOWN(shell, "unknown command \"frobnicate\"");
  shell.type("ping\r");
  REQUIRE_SHOWN(shell, "PONG");

  // help comes from the command table, help COMMAND from the command's own --help.
  shell.type("help\r");
  REQUIRE_SHOWN(shell, "route add");
  REQUIRE_SHOWN(shell, "stage a new route");
  REQUIRE_SHOWN(shell, "use SESSION_ID");
  shell.type("help route add\r");
  REQUIRE_SHOWN(shell, "Sends: ROUTE_ADD|session_id|domains|path|backend_url|priority");

  shell.type("exit\r");
  CHECK(shell.wait_for_exit() == 0);
}

TEST_CASE("repl: Tab completes command words and live route ids", "[repl]") {
  Setup setup;
  TerminalRegctl shell(setup.regctl, {"shell"});
  REQUIRE_SHOWN(shell, setup.prompt());

  shell.type("rou\t");
  REQUIRE_SHOWN(shell, "route ");
  shell.type("li\t");
  REQUIRE_SHOWN(shell, "list ");
  shell.type("\r");
  REQUIRE_SHOWN(shell, "a.example.com");
  REQUIRE_SHOWN(shell, setup.prompt());

  // r1 is known only to regd: the candidate comes from a live ROUTE_LIST.
  shell.type("route remove \t");
  REQUIRE_SHOWN(shell, "route remove r1 ");
  // Each Tab had one candidate and completed it: nothing to ring the bell for.
  CHECK(shell.bells() == 0);
  shell.type("\r");
  // Removing the only staged route leaves nothing staged, and the prompt says so.
  REQUIRE_SHOWN(shell, "regctl " + setup.server + " " + setup.short_session() + "> ");
  Control control(setup.regd.control());
  CHECK(control.send("ROUTE_LIST|" + setup.session) == "ROUTE_LIST_OK|[]");
}

TEST_CASE("repl: use ID makes a session current and the prompt shows it", "[repl]") {
  Setup setup;
  TerminalRegctl shell(setup.regctl, {"shell"}, {{"REGCTL_SESSION", std::nullopt}});
  const std::string bare_prompt = "regctl " + setup.server + "> ";
  REQUIRE_SHOWN(shell, bare_prompt);

  shell.type("use s99-unknown\r");
  REQUIRE_SHOWN(shell, "regctl: error: session not found");
  REQUIRE_SHOWN(shell, bare_prompt);

  shell.type("use " + setup.session + "\r");
  REQUIRE_SHOWN(shell, setup.prompt());
  shell.type("route list -o plain\r");
  REQUIRE_SHOWN(shell, "r1");
}

TEST_CASE("repl: a line starting with > is sent to regd as it is", "[repl]") {
  Setup setup;
  TerminalRegctl shell(setup.regctl, {"shell"});
  REQUIRE_SHOWN(shell, setup.prompt());

  shell.type("> ROUTE_LIST|" + setup.session + "\r");
  REQUIRE_SHOWN(shell, "ROUTE_LIST_OK|[{");
  REQUIRE_SHOWN(shell, "\"route_id\":\"r1\"");
  shell.type(">CONFIG_APPLY|" + setup.session + "\r");
  REQUIRE_SHOWN(shell, "OK");
  // The raw line changed what is staged: the prompt follows.
  REQUIRE_SHOWN(shell, "regctl " + setup.server + " " + setup.short_session() + "> ");
}

TEST_CASE("repl: an event is printed above the line being typed, which stays and still works", "[repl]") {
  Setup setup;
  TerminalRegctl shell(setup.regctl, {"shell"});
  REQUIRE_SHOWN(shell, setup.prompt());
  shell.type("events drain_completed\r");
  REQUIRE_SHOWN(shell, "subscribed to drain_completed");
  REQUIRE_SHOWN(shell, setup.prompt());

  shell.type("route li");
  REQUIRE_SHOWN(shell, "route li");
  REQUIRE(setup.regctl.run({"drain", "start", "200ms"}).exit_code == 0);
  REQUIRE_SHOWN(shell, "drain_completed");
  REQUIRE_SHOWN(shell, "completed_at=");
  // Below the event: the prompt and the half-typed line, drawn again.
  REQUIRE_SHOWN(shell, setup.prompt() + "route li");

  shell.type("st\r");
  REQUIRE_SHOWN(shell, "a.example.com");
  REQUIRE_SHOWN(shell, setup.prompt());
}

TEST_CASE("repl: history is kept across shells, without lines that carry a secret", "[repl]") {
  Setup setup;
  std::filesystem::path history_file;
  {
    TerminalRegctl shell(setup.regctl, {"shell"});
    history_file = shell.state_home() / "regctl" / "history";
    REQUIRE_SHOWN(shell, setup.prompt());
    shell.type("> AUTH|raw-secret\r");
    REQUIRE_SHOWN(shell, setup.prompt());
    shell.type("auth command-secret\r");
    REQUIRE_SHOWN(shell, setup.prompt());
    shell.type("context set ci --server " + setup.server + " --token flag-secret\r");
    REQUIRE_SHOWN(shell, setup.prompt());
    shell.type("ping\r");
    REQUIRE_SHOWN(shell, "PONG");
    REQUIRE_SHOWN(shell, setup.prompt());
    shell.type("\x04");
    REQUIRE(shell.wait_for_exit() == 0);

    const std::string history = read_file(history_file);
    CHECK(history == "ping\n");

    // The next shell gets the line back with the Up arrow.
    TerminalRegctl next(setup.regctl, {"shell"}, {{"XDG_STATE_HOME", shell.state_home().string()}});
    REQUIRE_SHOWN(next, setup.prompt());
    next.type("\x1b[A");
    REQUIRE_SHOWN(next, "ping");
    next.type("\r");
    REQUIRE_SHOWN(next, "PONG");
  }
}

TEST_CASE("repl: bare regctl at a terminal is the shell, and Ctrl-D leaves it with status 0", "[repl]") {
  Setup setup;
  TerminalRegctl shell(setup.regctl, {});
  REQUIRE_SHOWN(shell, setup.prompt());
  shell.type("\x04");
  CHECK(shell.wait_for_exit() == 0);

  // Off a terminal bare regctl prints its usage as before, and `shell` refuses.
  const auto bare = setup.regctl.run({});
  CHECK(bare.exit_code == 2);
  CHECK_THAT(bare.err, Contains("a command is required"));
  const auto piped = setup.regctl.run({"shell"}, {}, "ping\n");
  CHECK(piped.exit_code == 2);
  CHECK_THAT(piped.err, Contains("needs a terminal"));
}

}  // namespace reg::test
