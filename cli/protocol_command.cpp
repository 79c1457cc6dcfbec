// Commands of the command table: build the protocol line from the command
// line, send it, print the reply; plus the client-side behaviour some of them
// have (--wait, --watch, --save, --exit-code, --only).
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/control_client.hpp"
#include "cli/diff_view.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "cli/reply_views.hpp"
#include "common/version.hpp"

namespace regctl {
namespace {

using Clock = std::chrono::steady_clock;
using reg::FieldKind;
using reg::Milliseconds;

Json read_json_file(const std::string& name) {
  std::stringstream content;
  if (name == "-") {
    content << std::cin.rdbuf();
  } else {
    std::ifstream in(name);
    if (!in) throw Failure(exit_usage, "cannot read " + name);
    content << in.rdbuf();
  }
  Json value = Json::parse(content.str(), nullptr, false);
  if (value.is_discarded() || !value.is_array()) {
    throw Failure(exit_usage, (name == "-" ? std::string("stdin") : name) + ": expected a JSON array of routes");
  }
  return value;
}

// REGISTER's metadata from --meta k=v and --lease.
std::string metadata_from(const CommandLine& line, const Command& command) {
  Json metadata = Json::object();
  for (const auto& pair : line.all("--meta")) {
    const auto equals = pair.find('=');
    metadata[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  const auto* lease = command.find_flag("--lease");
  if (line.has("--lease") || !metadata.contains("lease")) metadata["lease"] = *line.value(*lease->value, "--lease");
  return metadata.dump();
}

std::optional<std::string> value_for_field(const CommandLine& line, const Command& command, std::size_t index) {
  for (const auto& positional : command.positionals)
    if (positional.field_index == index) return line.value(positional, positional.name);
  for (const auto& flag : command.flags)
    if (flag.value && flag.value->field_index == index) return line.value(*flag.value, flag.name);
  return std::nullopt;
}

// The protocol line for `spec`, its fields taken from the command line.
std::string protocol_line(const reg::CommandSpec& spec, const Command& command, const CommandLine& line,
                          ControlClient& client) {
  std::string text(spec.name);
  for (std::size_t index = 0; index < spec.fields.size(); ++index) {
    const auto& field = spec.fields[index];
    std::optional<std::string> value;
    if (field.kind == FieldKind::session_id) {
      if (spec.session == reg::SessionUse::optional && client.settings().session.empty()) break;
      value = client.session();
    } else if (field.kind == FieldKind::metadata_json) {
      value = metadata_from(line, command);
    } else if (&spec != command.protocol) {  // `config apply --only` sends CONFIG_APPLY_PARTIAL
      value = line.all("--only").back();
    } else {
      value = value_for_field(line, command, index);
      if (value && field.kind == FieldKind::json_array) value = read_json_file(*value).dump();
    }
    if (!value) break;  // an optional trailing field left out
    if (value->find('\n') != std::string::npos || (!field.free_text && value->find('|') != std::string::npos)) {
      throw Failure(exit_usage, std::string(field.name) + " may not contain '|' or a line break");
    }
    text += "|" + *value;
  }
  return text;
}

void wait_for_drain(ControlClient& client, const Run& run, const std::string& status_line) {
  ProgressReporter progress(std::cerr, run.mode.stderr_terminal);
  const Palette& palette = run.mode.stderr_terminal ? run.palette : Palette(false);
  for (;;) {
    const auto reply = client.call(status_line);
    const auto status = parse_payload(reply);
    const double traffic = status.value("traffic_percent", 100.0);
    // Off a terminal a line per tenth drained is enough for a CI log.
    progress.update(drain_progress_line(status, palette), static_cast<long>((100.0 - traffic) / 10.0));
    if (status.value("completed", false)) return;
    const double duration = status.value("duration_seconds", 1.0);
    const auto tick = std::clamp(Milliseconds(static_cast<long>(duration * 1000 / 100)), Milliseconds(100),
                                 Milliseconds(1000));
    std::this_thread::sleep_for(tick);
  }
}

// MAINT_ENTER / MAINT_EXIT answer ACK at once and MAINT_OK (or a timeout
// ERROR) when regd has seen the backends answer, on the same connection.
std::string wait_for_maintenance(ControlClient& client, const Run& run, const std::string& target,
                                 Milliseconds limit) {
  ProgressReporter progress(std::cerr, run.mode.stderr_terminal);
  const auto started = Clock::now();
  static constexpr const char* spinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  for (long tick = 0;; ++tick) {
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started);
    if (Clock::now() - started >= limit) {
      throw Failure(exit_unreachable, "no confirmation from regd within " + reg::format_duration(limit) +
                                          " (maintenance of " + target + " is in place; MAINT_OK did not come)");
    }
    if (run.mode.stderr_terminal) {
      progress.update(std::string(spinner[tick % 10]) + " waiting for regd to confirm " + target + " (" +
                          std::to_string(waited.count()) + "s)",
                      0);
    } else {
      progress.update("waiting for regd to confirm maintenance change of " + target, 0);
    }
    auto line = client.next_line(interrupt_check_interval);
    if (!line) continue;
    auto reply = split_reply(std::move(*line));
    if (reply.code == "MAINT_OK") return reply.payload;
    throw_if_error(reply, client.settings());
  }
}

// With -o json stdout gets one compact document per refresh, one per line,
// and nothing else, even on a terminal: `--watch -o json | jq` reads a stream,
// as with `events -o json`.
int watch(ControlClient& client, const Run& run, const reg::CommandSpec& spec, const std::string& request,
          Milliseconds interval) {
  catch_interrupts();
  const Format format = run.mode.format_for(false);
  const bool json_lines = format == Format::json;
  OutputMode frame_mode = run.mode;
  if (json_lines) frame_mode.stdout_terminal = false;  // compact, not pretty
  WatchScreen screen(std::cout, run.mode.stdout_terminal, "regctl " + run.line.command->path());
  while (!interrupted()) {
    std::ostringstream frame;
    const auto reply = split_reply(client.exchange(request));
    try {
      throw_if_error(reply, client.settings());
      print_reply(frame, spec, reply, format, frame_mode, run.palette);
    } catch (const Failure& failure) {
      if (failure.code() != exit_server_error) throw;
      // e.g. no drain yet: keep watching
      if (json_lines) std::cerr << "regctl: error: " << failure.what() << '\n';
      else frame << run.palette.paint(failure.what(), Tone::red) << '\n';
    }
    if (json_lines) std::cout << frame.str() << std::flush;
    else screen.show(frame.str());
    sleep_unless_interrupted(interval);
  }
  return exit_success;
}

int print_version(const Run& run) {
  const std::string client_version = "regctl " + reg::version();
  const Format format = run.mode.format_for(false);
  ControlClient client(run.connection());
  const auto reply = client.call("VERSION");
  const Json server = parse_payload(reply);
  if (format == Format::json) {
    std::cout << Json{{"client", client_version}, {"server", server}}.dump(run.mode.stdout_terminal ? 2 : -1) << '\n';
    return exit_success;
  }
  if (format == Format::plain) {
    std::cout << client_version << '\n' << value_text(server.value("server", Json())) << '\n';
    return exit_success;
  }
  Json shown{{"client", client_version},
             {"server", server.value("server", Json())},
             {"protocol", server.value("protocol", Json())}};
  if (format == Format::wide) shown["commands"] = server.value("commands", Json());
  print_json_view(std::cout, "VERSION_OK", shown, format, run.palette, run.mode.borders);
  return exit_success;
}

void save_session(const Run& run, const ConnectionSettings& settings, const std::string& session) {
  std::string name = settings.context_name;
  if (name.empty()) {
    // First use: a context that remembers where this session lives, too.
    name = "default";
    run.contexts.upsert(name).server = settings.server.to_string();
    run.contexts.set_current(name);
  }
  run.contexts.upsert(name).session = session;
  run.contexts.save();
  if (run.mode.stderr_terminal) std::cerr << run.palette.paint("saved in context " + name, Tone::dim) << '\n';
}

}  // namespace

int run_protocol_command(const Run& run) {
  const Command& command = *run.line.command;
  if (command.protocol->name == "VERSION") return print_version(run);

  const reg::CommandSpec& spec =
      run.line.has("--only") ? *reg::find_command("CONFIG_APPLY_PARTIAL") : *command.protocol;
  const auto settings = run.connection();
  ControlClient client(settings);
  const std::string request = protocol_line(spec, command, run.line, client);

  if (run.line.has("--watch")) {
    const auto interval = reg::parse_duration(*run.line.value(*command.find_flag("--interval")->value, "--interval"));
    return watch(client, run, spec, request, *interval);
  }

  const Reply reply = client.call(request);
  const Format format = run.mode.format_for(has_single_value_reply(spec));

  if (run.line.has("--wait") && (spec.name == "MAINT_ENTER" || spec.name == "MAINT_EXIT")) {
    const auto* target = &command.positionals.front();
    const auto limit = reg::parse_duration(*run.line.value(*command.find_flag("--wait-timeout")->value, "--wait-timeout"));
    const std::string confirmed = wait_for_maintenance(client, run, *run.line.value(*target, target->name), *limit);
    if (format == Format::json) std::cout << Json{{"reply", "MAINT_OK"}, {"target", confirmed}}.dump() << '\n';
    else if (format == Format::plain) std::cout << confirmed << '\n';
    else std::cout << run.palette.paint("confirmed: ", Tone::green) << confirmed << '\n';
    return exit_success;
  }

  print_reply(std::cout, spec, reply, format, run.mode, run.palette);
  if (spec.name == "REGISTER" && run.line.has("--save")) save_session(run, settings, reply.payload);
  if (spec.name == "DRAIN_START" && run.line.has("--wait")) {
    std::cout << std::flush;
    wait_for_drain(client, run, "DRAIN_STATUS|" + client.session());
  }
  if (spec.name == "CONFIG_DIFF" && run.line.has("--exit-code")) {
    return diff_has_changes(parse_payload(reply)) ? exit_changes_found : exit_success;
  }
  return exit_success;
}

}  // namespace regctl
