#include "daemon/control/session_deadlines.hpp"

namespace reg::control {

void SessionDeadlines::set(const std::string& id, Time deadline) {
  auto [found, added] = by_id_.try_emplace(id, deadline);
  if (!added) {
    if (found->second == deadline) return;
    by_time_.erase({found->second, id});
    found->second = deadline;
  }
  by_time_.emplace(deadline, id);
}

void SessionDeadlines::erase(const std::string& id) {
  auto found = by_id_.find(id);
  if (found == by_id_.end()) return;
  by_time_.erase({found->second, id});
  by_id_.erase(found);
}

std::vector<std::string> SessionDeadlines::take_due(Time now) {
  std::vector<std::string> due;
  while (!by_time_.empty() && by_time_.begin()->first <= now) {
    auto first = by_time_.extract(by_time_.begin());
    by_id_.erase(first.value().second);
    due.push_back(std::move(first.value().second));
  }
  return due;
}

}  // namespace reg::control
