#pragma once
// Writes compact JSON text straight into a string. For records written on a
// hot path (a session's stored record at every commit that changed it),
// where building an nlohmann tree first costs more allocations than the
// data itself. Commas are placed by looking at the last character written,
// so a writer needs no state of its own and any nesting is written in order.
#include <cstdint>
#include <string>
#include <string_view>

namespace reg {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  // An object member's name; its value follows.
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view text);
  JsonWriter& number(std::int64_t value);
  JsonWriter& unsigned_number(std::uint64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Text that is already one JSON value.
  JsonWriter& raw(std::string_view json);

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void separate();

  std::string& out_;
};

}  // namespace reg
