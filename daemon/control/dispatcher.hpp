#pragma once
// Runs one protocol line: encoding, arity (from the command table), AUTH,
// session, field kinds, then the command's handler — in the order PROTOCOL.md
// §3 fixes, so a bad line never reaches a handler and never changes state.
#include <string>
#include <string_view>
#include <vector>

#include "common/field_validation.hpp"
#include "common/line_codec.hpp"

namespace reg::control {

class ControlPlane;
class ControlConnection;

class Dispatcher {
 public:
  explicit Dispatcher(ControlPlane& plane);

  // Appends the reply line to `out`.
  void handle_line(ControlConnection& connection, std::string_view line, std::string& out);

 private:
  ControlPlane& plane_;
  // Reused across lines: the hot path (pipelined PING) allocates nothing.
  ParsedCommand parsed_;
  std::vector<FieldValue> values_;
};

}  // namespace reg::control
