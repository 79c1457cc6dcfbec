#include "daemon/control/session_registry.hpp"

#include <sys/random.h>

#include <array>
#include <stdexcept>

namespace reg::control {

Session* SessionRegistry::find(std::string_view id) {
  auto found = sessions_.find(std::string(id));
  return found == sessions_.end() ? nullptr : found->second.get();
}

Session* SessionRegistry::find_by_name(const std::string& service, const std::string& instance) {
  auto found = ids_by_name_.find({service, instance});
  return found == ids_by_name_.end() ? nullptr : find(found->second);
}

Session& SessionRegistry::add(std::unique_ptr<Session> session) {
  session->id = new_session_id();
  ids_by_name_[{session->service_name, session->instance_name}] = session->id;
  Session& added = *session;
  sessions_.emplace(added.id, std::move(session));
  mark_changed(added.id);
  return added;
}

void SessionRegistry::restore(std::unique_ptr<Session> session) {
  ids_by_name_[{session->service_name, session->instance_name}] = session->id;
  const std::string id = session->id;
  sessions_.emplace(id, std::move(session));
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
  auto name = ids_by_name_.find({found->second->service_name, found->second->instance_name});
  if (name != ids_by_name_.end() && name->second == id) ids_by_name_.erase(name);
  sessions_.erase(found);
}

std::string SessionRegistry::new_session_id() {
  std::array<unsigned char, 16> random{};
  if (getrandom(random.data(), random.size(), 0) != static_cast<ssize_t>(random.size()))
    throw std::runtime_error("getrandom failed");
  static constexpr char kHex[] = "0123456789abcdef";
  // The counter makes ids unique even if randomness repeated; the random
  // part makes them unguessable.
  std::string id = "s" + std::to_string(++sessions_created_) + "-";
  for (unsigned char byte : random) {
    id += kHex[byte >> 4];
    id += kHex[byte & 15];
  }
  return id;
}

std::string redact_session_id(std::string_view id) {
  return std::string(id.substr(0, std::min<std::size_t>(id.size(), 8))) + "…";
}

}  // namespace reg::control
