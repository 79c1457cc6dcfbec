// `regctl shell` (and bare `regctl` at a terminal): regctl's commands with
// the same words and output, plus line editing, history, Tab completion, a
// current session, raw protocol lines and events shown as they come.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/line_editor.hpp"
#include "cli/reply_views.hpp"
#include "cli/repl_connection.hpp"
#include "cli/repl_history.hpp"
#include "cli/repl_subprocess.hpp"
#include "cli/repl_words.hpp"

namespace regctl {
namespace {

constexpr const char* builtin_words[] = {"use", "help", "exit", "quit"};

// The shell's own words, for `help` next to the commands.
constexpr std::pair<std::string_view, std::string_view> builtin_help[] = {
    {"use SESSION_ID", "act on this session from now on (Tab offers the live ones)"},
    {"> LINE", "send a protocol line as it is on the shell's connection: > ROUTE_LIST|s1-..."},
    {"help [COMMAND]", "this list, or a command's arguments and an example"},
    {"exit, quit", "leave the shell (so does Ctrl-D)"},
};

// "s12-6f1c2a9e..." -> "s12-6f1c…": enough to tell sessions apart, short
// enough for a prompt, and not the whole secret on the screen.
std::string short_session(const std::string& session) {
  const auto dash = session.find('-');
  const std::size_t keep = dash == std::string::npos ? 8 : dash + 5;
  return session.size() <= keep ? session : session.substr(0, keep) + "…";
}

// Commands after which the session's staged changes may have changed.
bool changes_staging(const reg::CommandSpec& spec) {
  return spec.staged || (spec.group == reg::CommandGroup::config && spec.mutating) ||
         spec.name == "CLIENT_SHUTDOWN";
}

void print_error(const std::string& message) {
  std::cout << std::flush;
  std::cerr << "regctl: error: " << message << '\n' << std::flush;
}

class Shell {
 public:
  explicit Shell(const Run& run)
      : shell_line_(run.line),
        mode_(run.mode),
        palette_(run.palette),
        history_(ReplHistory::default_path()),
        editor_([this](const std::vector<std::string>& words) { return candidates(words); }) {}

  int run() {
    catch_interrupts();
    for (const auto& entry : history_.load()) remember_in_editor(entry);
    refresh_staged(true);
    editor_.begin(prompt());
    for (;;) {
      show_async_lines();
      pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {connection_.native_handle(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno != EINTR) throw Failure(exit_unreachable, std::string("poll: ") + std::strerror(errno));
        if (interrupted()) {
          clear_interrupt();
          editor_.abandon_line();
        }
        continue;
      }
      if (fds[0].revents == 0) continue;  // regd spoke: shown at the top of the loop
      if ((fds[0].revents & POLLIN) == 0) break;  // the terminal went away
      auto entered = editor_.feed();
      if (!entered) continue;
      if (entered->end_of_input) {
        std::cout << '\n';
        break;
      }
      if (!handle(entered->line)) break;
      editor_.begin(prompt());
    }
    editor_.end();
    return exit_success;
  }

 private:
  // The shell's connection flags with its `use` session.
  GlobalFlags flags() const {
    GlobalFlags flags = shell_line_.connection;
    if (used_session_) flags.session = used_session_;
    return flags;
  }

  ConnectionSettings settings() const {
    return resolve_connection(flags(), ContextFile::load(ContextFile::default_path()));
  }

  std::string prompt() const {
    std::string text = "regctl";
    try {
      const auto current = settings();
      text += " " + current.server.to_string();
      if (!current.session.empty()) text += " " + short_session(current.session);
    } catch (const Failure&) {
      // A broken context file: every command says so; the prompt stays short.
    }
    if (session_missing_) text += " (session not found)";
    else if (staged_ && *staged_ > 0) text += " (" + std::to_string(*staged_) + " staged)";
    return text + "> ";
  }

  // Asks regd for the number of staged changes (CONFIG_DIFF lists each one).
  // `announce` says why when regd cannot be asked, once at the start.
  void refresh_staged(bool announce) {
    staged_.reset();
    session_missing_ = false;
    try {
      const auto current = settings();
      if (current.session.empty()) return;
      const auto reply = split_reply(connection_.exchange(current, "CONFIG_DIFF|" + current.session));
      if (reply.code == "ERROR" && reply.payload == "session not found") session_missing_ = true;
      if (reply.code != "DIFF_OK") return;
      const Json diff = Json::parse(reply.payload, nullptr, false);
      if (diff.is_object() && diff.contains("changes") && diff["changes"].is_array()) staged_ = diff["changes"].size();
    } catch (const Failure& failure) {
      if (announce) print_error(failure.what());
    }
  }

  void show_async_lines() {
    try {
      while (auto line = connection_.next_async_line()) show_async_line(split_reply(std::move(*line)));
    } catch (const Failure& failure) {
      editor_.print_above([&] {
        print_error(std::string(failure.what()) + "; the shell connects again when needed (`events` subscribes anew)");
      });
    }
  }

  void show_async_line(const Reply& line) {
    if (line.code == "SHUTDOWN") {
      connection_.close();
      editor_.print_above([] { print_error("regd is shutting down; the shell connects again when needed"); });
      return;
    }
    if (line.code != "EVENT") {  // MAINT_OK or a late ERROR for an earlier raw MAINT_ line
      editor_.print_above([&] { std::cout << line.line << '\n'; });
      return;
    }
    editor_.print_above([&] { print_event(line, mode_.format_for(false), palette_); });
    if (line.payload.starts_with("staged_expired|")) {
      refresh_staged(false);
      editor_.change_prompt(prompt());
    }
  }

  // Returns false when the shell should end.
  bool handle(std::string line) {
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t") + 1);
    if (line.empty()) return true;
    remember(line);
    try {
      if (line.front() == '>') {
        send_raw(line.substr(1));
        return true;
      }
      auto words = split_shell_words(line);
      if (!words) throw Failure(exit_usage, words.error());
      const std::string& first = words->front();
      if (first == "exit" || first == "quit") return false;
      if (first == "help") show_help({words->begin() + 1, words->end()});
      else if (first == "use") use_session({words->begin() + 1, words->end()});
      else run_command(*words);
    } catch (const Failure& failure) {
      print_error(failure.what());
    } catch (const std::exception& unexpected) {
      print_error(unexpected.what());
    }
    return true;
  }

  // Lines with a secret are not kept at all, so neither the file nor the
  // arrow keys give them back.
  void remember(const std::string& line) {
    if (carries_secret(line) || line == last_remembered_) return;
    remember_in_editor(line);
    history_.append(line);
  }

  void remember_in_editor(const std::string& line) {
    editor_.add_history(line);
    last_remembered_ = line;
  }

  void send_raw(std::string line) {
    line.erase(0, line.find_first_not_of(" \t"));
    if (line.empty()) throw Failure(exit_usage, "> needs a protocol line, e.g. > PING");
    std::cout << connection_.exchange(settings(), line) << '\n';
    refresh_staged(false);  // the line may have changed anything
  }

  void use_session(const std::vector<std::string>& arguments) {
    if (arguments.size() != 1) throw Failure(exit_usage, "use needs one session id (Tab offers them)");
    auto candidate = settings();
    candidate.session = arguments.front();
    candidate.session_origin = "use";
    connection_.call(candidate, "SESSION_INFO|" + candidate.session);  // refuse an unknown session
    used_session_ = arguments.front();
    refresh_staged(false);
  }

  void show_help(const std::vector<std::string>& words) {
    if (!words.empty()) {
      std::vector<std::string> argv_words{"regctl"};
      argv_words.insert(argv_words.end(), words.begin(), words.end());
      argv_words.emplace_back("--help");
      parse(argv_words);
      return;
    }
    // The table lists commands by protocol group; a few sit under another word's group.
    const auto& tree = command_tree();
    std::vector<std::pair<std::string, std::string>> groups;  // name, its lines
    const auto add = [&](const std::string& group, std::string_view words, std::string_view summary) {
      auto found = std::find_if(groups.begin(), groups.end(), [&](const auto& entry) { return entry.first == group; });
      if (found == groups.end()) found = groups.insert(groups.end(), {group, ""});
      std::string line = "  " + std::string(words);
      line.resize(std::max<std::size_t>(line.size() + 2, 24), ' ');
      found->second += line + std::string(summary) + "\n";
    };
    for (const auto& command : tree.commands())
      if (!command.hidden && command.action != Action::shell)
        add(tree.group_of(command.words.front()), command.path(), command.summary);
    for (const auto& [words, summary] : builtin_help) add("Shell", words, summary);
    for (const auto& [group, lines] : groups) std::cout << group << ":\n" << lines << '\n';
    std::cout << "Every command takes the words it takes after `regctl`; `help COMMAND` shows them.\n"
              << "`events` here subscribes, and events appear above the prompt while you type.\n";
  }

  // The shell's words go through regctl's own command-line parser.
  static std::optional<CommandLine> parse(const std::vector<std::string>& argv_words) {
    std::vector<char*> argv;
    for (const auto& word : argv_words) argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);
    return parse_command_line(static_cast<int>(argv_words.size()), argv.data()).line;
  }

  void run_command(const std::vector<std::string>& words) {
    std::vector<std::string> argv_words{"regctl"};
    argv_words.insert(argv_words.end(), words.begin(), words.end());
    auto line = parse(argv_words);
    if (!line) return;  // CLI11 has said what is wrong, or printed the help asked for
    with_shell_defaults(*line);
    const Command& command = *line->command;
    if (command.action == Action::shell) throw Failure(exit_usage, "this is the shell already");
    if (command.action == Action::events) return subscribe(*line);
    if (command.protocol && command.protocol->name == "UNSUBSCRIBE") return unsubscribe(*line);

    const std::string before = where();
    run_in_subprocess([&] { return run_command_line(*line); });
    if (interrupted()) {  // Ctrl-C reached the command too and ended it; the shell goes on below
      clear_interrupt();
      std::cout << '\n';
    }
    // `context use` or `register --save` may have moved the shell to another server or session.
    const bool moved = where() != before;
    if (moved || command.action == Action::raw || (command.protocol && changes_staging(*command.protocol))) {
      refresh_staged(false);
    }
  }

  // The server and session the shell acts on, empty while the context file is broken.
  std::string where() const {
    try {
      const auto current = settings();
      return current.server.to_string() + " " + current.session;
    } catch (const Failure&) {
      return "";
    }
  }

  // What the shell was started with applies to each command that does not say otherwise.
  void with_shell_defaults(CommandLine& line) const {
    const GlobalFlags shell = flags();
    auto& given = line.connection;
    if (!given.server) given.server = shell.server;
    if (!given.session) given.session = shell.session;
    if (!given.token_file) given.token_file = shell.token_file;
    if (!given.timeout) given.timeout = shell.timeout;
    if (!given.context) given.context = shell.context;
    if (!line.output) line.output = shell_line_.output;
    if (!line.colour) line.colour = shell_line_.colour;
  }

  // `events` in the shell subscribes the shell's connection; the events then
  // appear above the prompt instead of holding the terminal until Ctrl-C.
  void subscribe(const CommandLine& line) {
    const auto current = resolve_connection(line.connection, ContextFile::load(ContextFile::default_path()));
    const auto& types_argument = line.command->positionals.front();
    auto types = line.all(types_argument.name);
    if (types.empty()) types.push_back(*types_argument.default_value);
    std::string subscribed;
    for (const auto& type : types) {
      connection_.call(current, "SUBSCRIBE|" + session_of(current) + "|" + type);
      subscribed += (subscribed.empty() ? "" : ", ") + type;
    }
    std::cerr << palette_.paint("subscribed to " + subscribed +
                                    ": events appear above the prompt (`events unsubscribe TYPE` stops them)",
                                Tone::dim)
              << '\n';
  }

  void unsubscribe(const CommandLine& line) {
    const auto current = resolve_connection(line.connection, ContextFile::load(ContextFile::default_path()));
    const auto& spec = *line.command->protocol;
    const auto reply =
        connection_.call(current, "UNSUBSCRIBE|" + session_of(current) + "|" + line.all("event_type").front());
    const auto mode = resolve_output(line.output, line.colour);
    print_reply(std::cout, spec, reply, mode.format_for(has_single_value_reply(spec)), mode, Palette(mode.colour));
  }

  static const std::string& session_of(const ConnectionSettings& settings) {
    if (settings.session.empty()) throw Failure(exit_usage, "no session: `use SESSION_ID` first (Tab offers them)");
    return settings.session;
  }

  std::vector<std::string> candidates(const std::vector<std::string>& words) const {
    const std::string& first = words.front();
    if (words.size() == 1) {
      auto offered = completion_candidates(words, flags());
      for (const char* builtin : builtin_words)
        if (std::string_view(builtin).starts_with(first)) offered.emplace_back(builtin);
      return offered;
    }
    if (first.starts_with(">") || first == "exit" || first == "quit") return {};
    if (first == "use") {
      // A session id is what --session takes: let the one completion offer the live ones.
      return words.size() == 2 ? completion_candidates({"--session", words.back()}, flags())
                               : std::vector<std::string>{};
    }
    if (first == "help") return completion_candidates({words.begin() + 1, words.end()}, flags());
    return completion_candidates(words, flags());
  }

  const CommandLine& shell_line_;
  const OutputMode& mode_;
  const Palette& palette_;
  ReplHistory history_;
  LineEditor editor_;
  ReplConnection connection_;
  std::optional<std::string> used_session_;
  std::optional<std::size_t> staged_;
  bool session_missing_ = false;
  std::string last_remembered_;
};

}  // namespace

int run_shell(const Run& run) {
  if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDOUT_FILENO) != 1) {
    throw Failure(exit_usage, "regctl shell needs a terminal (in a script, run each command as regctl COMMAND)");
  }
  Shell shell(run);
  return shell.run();
}

}  // namespace regctl
