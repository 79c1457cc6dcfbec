#include "daemon/control/event_bus.hpp"

namespace reg::control {

std::string event_line(std::string_view type, const nlohmann::json& body) {
  std::string line = "EVENT|";
  line.append(type).push_back('|');
  line += body.dump();
  return line;
}

void EventBus::subscribe(const std::shared_ptr<ClientLink>& link, const std::string& session_id,
                         std::string_view type) {
  Subscriber& subscriber = subscribers_[link->connection_id()];
  subscriber.link = link;
  subscriber.types_by_session[session_id].emplace(type);
}

void EventBus::unsubscribe(ConnectionId connection, const std::string& session_id, std::string_view type) {
  auto found = subscribers_.find(connection);
  if (found == subscribers_.end()) return;
  auto& sessions = found->second.types_by_session;
  auto types = sessions.find(session_id);
  if (types == sessions.end()) return;
  if (type == "all") types->second.clear();
  else types->second.erase(std::string(type));
  if (types->second.empty()) sessions.erase(types);
  if (sessions.empty()) subscribers_.erase(found);
}

void EventBus::drop_connection(ConnectionId connection) { subscribers_.erase(connection); }

void EventBus::drop_session(const std::string& session_id) {
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    it->second.types_by_session.erase(session_id);
    if (it->second.types_by_session.empty()) it = subscribers_.erase(it);
    else ++it;
  }
}

namespace {

bool wants(const std::set<std::string, std::less<>>& types, std::string_view type) {
  return types.count("all") > 0 || types.count(type) > 0;
}

}  // namespace

void EventBus::publish(const std::string& session_id, std::string_view type, const nlohmann::json& body) {
  std::string line;
  for (auto& [connection, subscriber] : subscribers_) {
    auto types = subscriber.types_by_session.find(session_id);
    if (types == subscriber.types_by_session.end() || !wants(types->second, type)) continue;
    auto link = subscriber.link.lock();
    if (!link) continue;
    if (line.empty()) line = event_line(type, body);
    link->send_event(line);
  }
}

void EventBus::publish_global(std::string_view type, const nlohmann::json& body) {
  const std::string line = event_line(type, body);
  for (auto& [connection, subscriber] : subscribers_) {
    bool wanted = false;
    for (const auto& [session, types] : subscriber.types_by_session) wanted = wanted || wants(types, type);
    if (!wanted) continue;
    if (auto link = subscriber.link.lock()) link->send_event(line);
  }
}

}  // namespace reg::control
