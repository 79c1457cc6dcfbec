// regctl(1) is generated, and a ctest keeps the committed page equal to the
// generator's output; this checks the page itself, against the command table
// rather than the generator, so a command the generator skips is caught too.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "common/command_table.hpp"
#include "man/roff.hpp"

#ifndef MAN_DIR
#error "MAN_DIR must name the source tree's man/ directory"
#endif

namespace {

std::string read_page(const std::string& name) {
  std::ifstream in(std::string(MAN_DIR) + "/" + name);
  REQUIRE(in);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// "Sends \fBROUTE_ADD|..." names ROUTE_ADD; "Sends \fBROUTE_ADD_BULK|..." does not.
bool says_it_sends(const std::string& page, std::string_view command) {
  const std::string prefix = "Sends \\fB" + std::string(command);
  for (auto at = page.find(prefix); at != std::string::npos; at = page.find(prefix, at + 1)) {
    const char next = page[at + prefix.size()];
    if (next == '|' || next == '[' || next == '\\') return true;
  }
  return false;
}

}  // namespace

TEST_CASE("regctl(1) documents every command of the command table", "[docs]") {
  const std::string page = read_page("regctl.1");
  for (const auto& spec : reg::command_table()) {
    INFO(spec.name << " (regctl " << spec.cli_path << ")");
    CHECK(page.find("\\fBregctl " + reg::man::roff(spec.cli_path) + "\\fR") != std::string::npos);
    CHECK(says_it_sends(page, spec.name));
  }
}
