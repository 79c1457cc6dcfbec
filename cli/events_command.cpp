// `regctl events [TYPE...]`: subscribe on one connection and print events as
// they arrive until Ctrl-C.
#include <ctime>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/control_client.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/reply_views.hpp"

namespace regctl {
namespace {

std::string clock_time() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

}  // namespace

void print_event(const Reply& event, Format format, const Palette& palette) {
  const auto bar = event.payload.find('|');
  const std::string type = event.payload.substr(0, bar);
  const std::string payload = bar == std::string::npos ? "" : event.payload.substr(bar + 1);
  const Json data = Json::parse(payload, nullptr, false);
  if (format == Format::json) {
    std::cout << Json{{"type", type}, {"data", data.is_discarded() ? Json(payload) : data}}.dump() << '\n';
  } else if (format == Format::plain) {
    std::cout << type << '\t' << payload << '\n';
  } else {
    std::string fields;
    if (data.is_object())
      for (const auto& [key, value] : data.items()) fields += (fields.empty() ? "" : "  ") + key + "=" + value_text(value);
    std::cout << palette.paint(clock_time(), Tone::dim) << "  " << palette.paint(type, Tone::cyan) << "  " << fields << '\n';
  }
  std::cout << std::flush;  // a pipe reader wants each event as it happens
}

int run_events(const Run& run) {
  catch_interrupts();
  ControlClient client(run.connection());
  const Command& command = *run.line.command;
  const auto& types_argument = command.positionals.front();
  auto types = run.line.all(types_argument.name);
  if (types.empty()) types.push_back(*types_argument.default_value);
  for (const auto& type : types) client.call("SUBSCRIBE|" + client.session() + "|" + type);

  const Format format = run.mode.format_for(false);
  if (run.mode.stderr_terminal) std::cerr << run.palette.paint("waiting for events; Ctrl-C ends", Tone::dim) << '\n';
  while (!interrupted()) {
    auto line = client.next_line(interrupt_check_interval);
    if (!line) continue;
    if (*line == "SHUTDOWN") throw Failure(exit_unreachable, "regd is shutting down");
    auto reply = split_reply(std::move(*line));
    if (reply.code != "EVENT") continue;  // a late second-phase line is not an event
    print_event(reply, format, run.palette);
  }
  return exit_success;
}

}  // namespace regctl
