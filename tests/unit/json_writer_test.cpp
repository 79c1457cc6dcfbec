// JSON written as text must be JSON that a parser reads back as the values
// that went in: every string byte, nesting and number range included.
#include <catch2/catch.hpp>

#include <limits>
#include <nlohmann/json.hpp>

#include "common/json_writer.hpp"

namespace reg {

TEST_CASE("json writer: strings with quotes, backslashes, control bytes and UTF-8 read back unchanged") {
  std::string awkward = "a\"b\\c/d\n\r\t\b\f|é✓";
  awkward += '\0';
  awkward += '\x1f';
  awkward += "end";
  std::string text;
  JsonWriter(text).string(awkward);
  CHECK(nlohmann::json::parse(text).get<std::string>() == awkward);
}

TEST_CASE("json writer: nested objects and arrays get their commas") {
  std::string text;
  JsonWriter out(text);
  out.begin_object().key("a").begin_array().number(1).begin_array().end_array().begin_object().end_object();
  out.null().end_array().key("b").boolean(true).key("c").raw(R"({"x":[1,2]})").key("d").string("").end_object();
  CHECK(text == R"({"a":[1,[],{},null],"b":true,"c":{"x":[1,2]},"d":""})");
  CHECK(nlohmann::json::parse(text) ==
        nlohmann::json{{"a", {1, nlohmann::json::array(), nlohmann::json::object(), nullptr}},
                       {"b", true},
                       {"c", {{"x", {1, 2}}}},
                       {"d", ""}});
}

TEST_CASE("json writer: numbers over their whole range") {
  std::string text;
  JsonWriter out(text);
  out.begin_array().number(std::numeric_limits<std::int64_t>::min()).number(-1).number(0);
  out.unsigned_number(std::numeric_limits<std::uint64_t>::max()).end_array();
  const auto parsed = nlohmann::json::parse(text);
  CHECK(parsed[0].get<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
  CHECK(parsed[1].get<std::int64_t>() == -1);
  CHECK(parsed[2].get<std::int64_t>() == 0);
  CHECK(parsed[3].get<std::uint64_t>() == std::numeric_limits<std::uint64_t>::max());
}

}  // namespace reg
