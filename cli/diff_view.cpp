#include "cli/diff_view.hpp"

#include <string>

#include "cli/reply_views.hpp"

namespace regctl {
namespace {

// "route r3", "header ALL X-Frame-Options", "option r1 timeout", "health r1"
std::string subject_of(const Json& change) {
  std::string subject = change.value("kind", "?");
  for (const char* key : {"id", "target", "name", "key"})
    if (change.contains(key)) subject += " " + value_text(change[key]);
  return subject;
}

// A route or check as one line: "domains=a.com path=/ backend=http://b:80".
std::string summary_of(const Json& value) {
  if (!value.is_object()) return value_text(value);
  std::string text;
  for (const auto& [key, item] : value.items()) {
    if (key == "route_id") continue;  // already in the subject
    text += (text.empty() ? "" : " ") + key + "=" + value_text(item);
  }
  return text;
}

}  // namespace

bool diff_has_changes(const Json& diff) {
  const auto changes = diff.find("changes");
  return changes != diff.end() && changes->is_array() && !changes->empty();
}

void print_diff(std::ostream& out, const Json& diff, const Palette& palette) {
  if (!diff_has_changes(diff)) {
    out << "no staged changes\n";
    return;
  }
  int added = 0, modified = 0, removed = 0;
  for (const auto& change : diff["changes"]) {
    const std::string op = change.value("op", "");
    const Json& before = change.contains("before") ? change["before"] : Json();
    const Json& after = change.contains("after") ? change["after"] : Json();
    const std::string subject = subject_of(change);
    if (op == "add") {
      ++added;
      out << palette.paint("+ " + subject, Tone::green) << "  " << palette.paint(summary_of(after), Tone::green) << '\n';
    } else if (op == "remove") {
      ++removed;
      out << palette.paint("- " + subject, Tone::red) << "  " << palette.paint(summary_of(before), Tone::red) << '\n';
    } else {
      ++modified;
      out << palette.paint("~ " + subject, Tone::yellow) << '\n';
      if (before.is_object() && after.is_object()) {
        for (const auto& [key, value] : after.items()) {
          const Json old_value = before.value(key, Json());
          if (old_value == value) continue;
          out << "    " << key << ": " << palette.paint(value_text(old_value), Tone::red) << " → "
              << palette.paint(value_text(value), Tone::green) << '\n';
        }
      } else {
        out << "    " << palette.paint(value_text(before), Tone::red) << " → "
            << palette.paint(value_text(after), Tone::green) << '\n';
      }
    }
  }
  out << palette.paint(std::to_string(added + modified + removed) + " staged change" +
                           (added + modified + removed == 1 ? "" : "s") + ": " + std::to_string(added) +
                           " added, " + std::to_string(modified) + " modified, " + std::to_string(removed) +
                           " removed",
                       Tone::bold)
      << '\n';
}

}  // namespace regctl
