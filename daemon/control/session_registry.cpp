#include "daemon/control/session_registry.hpp"

namespace reg::control {

std::size_t SessionRegistry::NameHash::operator()(const std::pair<std::string, std::string>& name) const {
  const std::size_t service = std::hash<std::string>{}(name.first);
  return service ^ (std::hash<std::string>{}(name.second) + 0x9e3779b97f4a7c15ULL + (service << 6) + (service >> 2));
}

Session* SessionRegistry::find(std::string_view id) {
  auto found = sessions_.find(id);
  return found == sessions_.end() ? nullptr : found->second.get();
}

Session* SessionRegistry::find_by_name(const std::string& service, const std::string& instance) {
  auto found = by_name_.find({service, instance});
  return found == by_name_.end() ? nullptr : found->second;
}

Session& SessionRegistry::add(std::unique_ptr<Session> session) {
  session->id = ids_.next(++sessions_created_);
  Session& added = *session;
  by_name_[{added.service_name, added.instance_name}] = &added;
  sessions_.emplace(added.id, std::move(session));
  mark_changed(added.id);
  return added;
}

void SessionRegistry::restore(std::unique_ptr<Session> session) {
  Session& restored = *session;
  by_name_[{restored.service_name, restored.instance_name}] = &restored;
  sessions_.emplace(restored.id, std::move(session));
}

void SessionRegistry::restore_counters(const state::Counters& counters) {
  last_route_number_ = counters.last_route_number;
  sessions_created_ = counters.sessions_created;
}

void SessionRegistry::mark_changed(const std::string& id) {
  changed_.insert(id);
  ++change_count_;
}

void SessionRegistry::erase(const std::string& id) {
  auto found = sessions_.find(id);
  if (found == sessions_.end()) return;
  mark_changed(id);  // first: `id` may be the erased session's own
  const Session& session = *found->second;
  unhold(session);
  auto name = by_name_.find({session.service_name, session.instance_name});
  if (name != by_name_.end() && name->second == &session) by_name_.erase(name);
  sessions_.erase(found);
}

void SessionRegistry::hold(Session& session, ConnectionId connection) {
  if (session.lease != Lease::connection) return;
  unhold(session);
  session.holder = connection;
  held_[connection].insert(session.id);
}

void SessionRegistry::unhold(const Session& session) {
  if (session.holder == kNoConnection) return;
  auto held = held_.find(session.holder);
  if (held == held_.end()) return;
  held->second.erase(session.id);
  if (held->second.empty()) held_.erase(held);
}

std::vector<Session*> SessionRegistry::release_held(ConnectionId connection) {
  std::vector<Session*> released;
  auto held = held_.find(connection);
  if (held == held_.end()) return released;
  for (const auto& id : held->second) {
    Session* session = find(id);
    session->holder = kNoConnection;
    released.push_back(session);
  }
  held_.erase(held);
  return released;
}

std::string redact_session_id(std::string_view id) {
  return std::string(id.substr(0, std::min<std::size_t>(id.size(), 8))) + "…";
}

}  // namespace reg::control
