#include "support/reply_json.hpp"

#include <stdexcept>
#include <string>

namespace reg::test {

nlohmann::json reply_json(std::string_view reply, std::string_view code) {
  const std::string prefix = std::string(code) + "|";
  if (!reply.starts_with(prefix)) {
    throw std::runtime_error("expected " + prefix + "..., got \"" + std::string(reply) + "\"");
  }
  auto json = nlohmann::json::parse(reply.substr(prefix.size()), nullptr, false);
  if (json.is_discarded())
    throw std::runtime_error("not JSON after " + prefix + ": \"" + std::string(reply) + "\"");
  return json;
}

}  // namespace reg::test
