#pragma once
// SUBSCRIBE/UNSUBSCRIBE and event delivery (PROTOCOL.md §5 "Observability").
// A subscription belongs to the connection that made it and names a session:
// the connection gets that session's events and the daemon-wide ones.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "daemon/control/client_link.hpp"

namespace reg::control {

class EventBus {
 public:
  void subscribe(const std::shared_ptr<ClientLink>& link, const std::string& session_id, std::string_view type);
  void unsubscribe(ConnectionId connection, const std::string& session_id, std::string_view type);
  void drop_connection(ConnectionId connection);
  void drop_session(const std::string& session_id);

  // An event of one session.
  void publish(const std::string& session_id, std::string_view type, const nlohmann::json& body);
  // A daemon-wide event (global_config_changed, cert_renewed).
  void publish_global(std::string_view type, const nlohmann::json& body);

  std::size_t subscriber_count() const { return subscribers_.size(); }

 private:
  struct Subscriber {
    std::weak_ptr<ClientLink> link;
    std::map<std::string, std::set<std::string, std::less<>>> types_by_session;
  };
  std::unordered_map<ConnectionId, Subscriber> subscribers_;
};

std::string event_line(std::string_view type, const nlohmann::json& body);

}  // namespace reg::control
