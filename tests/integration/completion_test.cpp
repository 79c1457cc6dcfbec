// The shell completion scripts of completions/ run by bash, zsh and fish
// themselves, installed where the README says, against a real regd: each check
// is what a user would be offered after pressing Tab.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/free_port.hpp"
#include "support/regctl_runner.hpp"
#include "support/regd_process.hpp"
#include "support/temp_dir.hpp"

#ifndef COMPLETIONS_DIR
#error "COMPLETIONS_DIR must name the source tree's completions/ directory"
#endif

namespace reg::test {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Candidates = std::vector<std::string>;
using namespace std::chrono_literals;

const fs::path completions_dir = COMPLETIONS_DIR;

// How the user set the script up: installed where the shell looks for it on
// its own, or sourced from the shell's rc file.
enum class Setup { installed, sourced };

// The words as every shell splits this test's lines; the last one is being
// completed (empty after a trailing space).
std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  if (line.ends_with(' ')) words.emplace_back();
  return words;
}

// Single quotes: the test's words never contain a quote or a backslash.
std::string quoted(const std::string& word) {
  REQUIRE(word.find_first_of("'\\") == std::string::npos);
  return "'" + word + "'";
}

std::string quoted_list(const std::vector<std::string>& words) {
  std::string list;
  for (const auto& word : words) list += (list.empty() ? "" : " ") + quoted(word);
  return list;
}

Candidates lines_of(const std::string& text) {
  Candidates lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line.substr(0, line.find('\t')));
  return lines;
}

// Runs a shell with regctl (the build's) on PATH, as a user has it.
class ShellUser {
 public:
  explicit ShellUser(const HostPort& server) : regctl_(server) {
    const char* path = std::getenv("PATH");
    regctl_.set_env("PATH", fs::path(REGCTL_BINARY).parent_path().string() + ":" + (path ? path : "/usr/bin:/bin"));
  }

  Regctl& regctl() { return regctl_; }

  Candidates bash(const std::string& line, Setup setup, const EnvChanges& env = {}) {
    // bash's COMP_WORDBREAKS makes ':' a word of its own: 127.0.0.1 : 81.
    std::vector<std::string> comp_words;
    for (const auto& word : words_of(line)) {
      std::size_t start = 0;
      for (auto colon = word.find(':'); colon != std::string::npos; colon = word.find(':', start)) {
        comp_words.push_back(word.substr(start, colon - start));
        comp_words.emplace_back(":");
        start = colon + 1;
      }
      comp_words.push_back(word.substr(start));
    }
    std::string script;
    if (setup == Setup::installed) {
      fs::create_directories(data_home_.path() / "bash-completion" / "completions");
      fs::copy_file(completions_dir / "regctl.bash", data_home_.path() / "bash-completion" / "completions" / "regctl",
                    fs::copy_options::overwrite_existing);
      // What bash-completion does on the first Tab after `regctl`.
      script = "source /usr/share/bash-completion/bash_completion\n_completion_loader regctl\n";
    } else {
      script = "source " + quoted((completions_dir / "regctl.bash").string()) + "\n";
    }
    script += "COMP_LINE=" + quoted(line) + "\nCOMP_POINT=${#COMP_LINE}\n";
    script += "COMP_WORDS=(" + quoted_list(comp_words) + ")\nCOMP_CWORD=" + std::to_string(comp_words.size() - 1) + "\n";
    // Call the function `complete -p` names, with the arguments bash passes.
    script += R"(spec=$(complete -p regctl) || exit 1
function=${spec##* -F }
"${function%% *}" regctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
[[ ${#COMPREPLY[@]} -eq 0 ]] || printf '%s\n' "${COMPREPLY[@]}"
)";
    EnvChanges changes = env;
    changes["XDG_DATA_HOME"] = data_home_.path().string();
    return run({"/bin/bash", "--norc", "--noprofile", "-c", script}, changes);
  }

  Candidates zsh(const std::string& line, Setup setup, const EnvChanges& env = {}) {
    const auto words = words_of(line);
    std::string script;
    if (setup == Setup::installed) {
      script = "fpath=(" + quoted(completions_dir.string()) + " $fpath)\nautoload -U compinit && compinit -u -D\n";
      script += "[[ $_comps[regctl] == _regctl ]] || { print -u2 'compinit did not pick up _regctl'; exit 1 }\n";
    } else {
      script = "source " + quoted((completions_dir / "_regctl").string()) + "\n";
    }
    // Outside a completion widget compadd cannot offer anything: this stand-in
    // prints each match the script hands it, a tab, and what the menu shows (-d).
    script += R"(compadd() {
  local -a compadd_display  # a name of its own: -d names a variable of the caller
  while [[ $1 != -- ]]; do
    if [[ $1 == -d ]]; then compadd_display=("${(@P)2}"); shift; fi
    shift
  done
  shift
  local i
  for (( i = 1; i <= $#; i++ )); do print -r -- "${@[i]}"$'\t'"${compadd_display[i]}"; done
}
)";
    script += "words=(" + quoted_list(words) + ")\nCURRENT=" + std::to_string(words.size()) + "\n";
    script += "_regctl || true  # 1 means no matches, as for every completion function\n";
    return run({"/usr/bin/zsh", "-f", "-c", script}, env);
  }

  Candidates fish(const std::string& line, Setup setup, const EnvChanges& env = {}) {
    std::string script;
    if (setup == Setup::installed) {
      // fish autoloads ~/.config/fish/completions/regctl.fish on the first Tab.
      const auto directory = regctl_.config_home() / "fish" / "completions";
      fs::create_directories(directory);
      fs::copy_file(completions_dir / "regctl.fish", directory / "regctl.fish", fs::copy_options::overwrite_existing);
    } else {
      script = "source " + quoted((completions_dir / "regctl.fish").string()) + "\n";
    }
    script += "complete --do-complete=" + quoted(line) + "\n";
    return run({"/usr/bin/fish", "--private", "-c", script}, env);
  }

  std::chrono::steady_clock::duration last_run_took() const { return took_; }
  // One line a candidate, descriptions included (after a tab).
  const std::string& last_output() const { return output_; }

 private:
  Candidates run(const std::vector<std::string>& command, const EnvChanges& env) {
    const auto started = std::chrono::steady_clock::now();
    const auto result = regctl_.run_program(command, env);
    took_ = std::chrono::steady_clock::now() - started;
    INFO(command.front() << " stderr: " << result.err);
    REQUIRE(result.exit_code == 0);
    REQUIRE(result.err.empty());  // the script ran without a complaint from the shell
    output_ = result.out;
    return lines_of(result.out);
  }

  Regctl regctl_;
  TempDir data_home_{"completion-data"};
  std::chrono::steady_clock::duration took_{};
  std::string output_;
};

// A regd with a session holding routes r1 and r2, and a user whose
// REGCTL_SESSION names that session.
struct Fixture {
  RegdProcess regd;
  ShellUser user{regd.control()};

  Fixture() {
    auto& regctl = user.regctl();
    const auto registered = regctl.run({"register", "svc", "inst1"});
    REQUIRE(registered.exit_code == 0);
    regctl.set_env("REGCTL_SESSION", registered.out.substr(0, registered.out.find('\n')));
    for (const auto* domain : {"a.example.com", "b.example.com"})
      REQUIRE(regctl.run({"route", "add", "--domains", domain, "--backend", "http://127.0.0.1:9000"}).exit_code == 0);
  }
};

// SIGSTOP for the object's lifetime: regd's listen backlog still accepts
// connections, but nothing answers.
class Stuck {
 public:
  explicit Stuck(const RegdProcess& regd) : pid_(regd.pid()) { ::kill(pid_, SIGSTOP); }
  ~Stuck() { ::kill(pid_, SIGCONT); }
  Stuck(const Stuck&) = delete;
  Stuck& operator=(const Stuck&) = delete;

 private:
  pid_t pid_;
};

bool contains(const Candidates& candidates, const std::string& word) {
  return std::find(candidates.begin(), candidates.end(), word) != candidates.end();
}

}  // namespace

TEST_CASE("completion: bash offers commands, values and live route ids", "[cli][completion]") {
  Fixture fixture;
  auto& user = fixture.user;
  CHECK_THAT(user.bash("regctl ro", Setup::installed), Equals(Candidates{"route"}));
  CHECK(user.last_output() == "route\n");  // bash would insert a description: none asked for
  const auto route_words = user.bash("regctl route ", Setup::installed);
  CHECK((contains(route_words, "add") && contains(route_words, "remove") && contains(route_words, "list")));
  CHECK_THAT(user.bash("regctl -o ", Setup::installed), Equals(Candidates{"table", "wide", "json", "plain"}));
  CHECK_THAT(user.bash("regctl completion ", Setup::installed), Equals(Candidates{"bash", "zsh", "fish"}));
  CHECK_THAT(user.bash("regctl route remove ", Setup::installed), Equals(Candidates{"r1", "r2"}));
  CHECK_THAT(user.bash("regctl headers set ", Setup::sourced), Equals(Candidates{"ALL", "r1", "r2"}));

  // --server HOST:PORT typed on the line: bash splits it at ':', regctl must
  // still see one address (REGCTL_SERVER points nowhere to prove it).
  const std::string line = "regctl --server " + fixture.regd.control().to_string() + " route remove ";
  CHECK_THAT(user.bash(line, Setup::installed, {{"REGCTL_SERVER", "127.0.0.1:1"}}), Equals(Candidates{"r1", "r2"}));
}

TEST_CASE("completion: zsh offers commands, values and live route ids", "[cli][completion]") {
  Fixture fixture;
  auto& user = fixture.user;
  CHECK_THAT(user.zsh("regctl ro", Setup::installed), Equals(Candidates{"route"}));
  const auto route_words = user.zsh("regctl route ", Setup::sourced);
  CHECK((contains(route_words, "add") && contains(route_words, "remove") && contains(route_words, "list")));
  CHECK_THAT(user.last_output(), Contains("add\tadd  -- stage a new route\n"));
  user.zsh("regctl drain start --", Setup::sourced);
  CHECK_THAT(user.last_output(), Contains("--wait\t--wait  -- show progress and return when the drain completes\n"));
  CHECK_THAT(user.zsh("regctl -o ", Setup::sourced), Equals(Candidates{"table", "wide", "json", "plain"}));
  CHECK_THAT(user.zsh("regctl route remove ", Setup::installed), Equals(Candidates{"r1", "r2"}));
  CHECK_THAT(user.zsh("regctl maint enter ", Setup::sourced), Equals(Candidates{"ALL", "r1", "r2"}));
}

TEST_CASE("completion: fish offers commands, values and live route ids", "[cli][completion]") {
  Fixture fixture;
  auto& user = fixture.user;
  CHECK_THAT(user.fish("regctl ro", Setup::installed), Equals(Candidates{"route"}));
  const auto route_words = user.fish("regctl route ", Setup::installed);
  CHECK((contains(route_words, "add") && contains(route_words, "remove") && contains(route_words, "list")));
  CHECK_THAT(user.last_output(), Contains("add\tstage a new route\n"));
  user.fish("regctl drain start --", Setup::sourced);
  CHECK_THAT(user.last_output(), Contains("--wait\tshow progress and return when the drain completes\n"));
  CHECK_THAT(user.fish("regctl -o ", Setup::sourced), Equals(Candidates{"table", "wide", "json", "plain"}));
  CHECK_THAT(user.fish("regctl route remove ", Setup::installed), Equals(Candidates{"r1", "r2"}));
  CHECK_THAT(user.fish("regctl stats ", Setup::sourced), Equals(Candidates{"ALL", "r1", "r2"}));
}

TEST_CASE("completion: with regd down or stuck every shell offers nothing, quickly", "[cli][completion]") {
  RegdProcess regd;
  ShellUser user(regd.control());
  user.regctl().set_env("REGCTL_SESSION", "s-any");
  const std::string line = "regctl route remove ";

  // regctl gives up its lookup after 1 s; the shell's own start-up is on top.
  const auto offers_nothing_quickly = [&](const EnvChanges& env) {
    CHECK(user.bash(line, Setup::installed, env).empty());
    CHECK(user.last_run_took() < 2s);
    CHECK(user.zsh(line, Setup::sourced, env).empty());
    CHECK(user.last_run_took() < 2s);
    CHECK(user.fish(line, Setup::installed, env).empty());
    CHECK(user.last_run_took() < 2s);
  };
  SECTION("nothing listens on the control port") {
    offers_nothing_quickly({{"REGCTL_SERVER", "127.0.0.1:" + std::to_string(free_loopback_port())}});
  }
  SECTION("regd accepts connections but never answers") {
    const Stuck stuck(regd);
    offers_nothing_quickly({});
  }
}

}  // namespace reg::test
