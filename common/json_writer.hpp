#pragma once
// Writes compact JSON text straight into a string. For records written on a
// hot path (a session's stored record at every commit that changed it),
// where building an nlohmann tree first costs more allocations than the
// data itself. Commas are placed by looking at the last character written,
// so a writer needs no state of its own: the string must hold nothing but
// the JSON being written. The small members are inline because a record is
// dozens of calls that each append a few bytes.
#include <charconv>
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
  // An object member's name, which must need no escaping (the callers' names
  // are fixed ASCII words); its value follows.
  JsonWriter& key(std::string_view name) {
    separate();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    return *this;
  }
  JsonWriter& string(std::string_view text);
  JsonWriter& number(std::int64_t value) { return digits(value); }
  JsonWriter& unsigned_number(std::uint64_t value) { return digits(value); }
  JsonWriter& boolean(bool value) { return raw(value ? "true" : "false"); }
  JsonWriter& null() { return raw("null"); }
  // Text that is already one JSON value.
  JsonWriter& raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
  }

 private:
  JsonWriter& open(char bracket) {
    separate();
    out_ += bracket;
    return *this;
  }
  JsonWriter& close(char bracket) {
    out_ += bracket;
    return *this;
  }
  void separate() {
    if (out_.empty()) return;
    const char last = out_.back();
    if (last != '{' && last != '[' && last != ':') out_ += ',';
  }
  template <class Integer>
  JsonWriter& digits(Integer value) {
    char text[24];
    return raw(std::string_view(text, std::to_chars(text, text + sizeof text, value).ptr - text));
  }

  std::string& out_;
};

}  // namespace reg
