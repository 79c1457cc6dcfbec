#pragma once
// Every session by id and by service/instance name, and the daemon-wide
// route number counter (route ids are never reused).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "daemon/control/session.hpp"

namespace reg::control {

class SessionRegistry {
 public:
  using SessionMap = std::unordered_map<std::string, std::unique_ptr<Session>>;

  Session* find(std::string_view id);
  Session* find_by_name(const std::string& service, const std::string& instance);

  // Adds a session under a fresh id (>= 128 bits of randomness).
  Session& add(std::unique_ptr<Session> session);
  void erase(const std::string& id);

  const SessionMap& sessions() const { return sessions_; }

  std::uint64_t allocate_route_number() { return ++last_route_number_; }

 private:
  std::string new_session_id();

  SessionMap sessions_;
  std::map<std::pair<std::string, std::string>, std::string> ids_by_name_;
  std::uint64_t last_route_number_ = 0;
  std::uint64_t sessions_created_ = 0;
};

// For logs: session ids are secrets, so only a prefix is ever shown.
std::string redact_session_id(std::string_view id);

}  // namespace reg::control
