#pragma once
// Sessions ordered by the next moment housekeeping must look at them (the
// end of a lease's grace period, of staged changes' lifetime, of a drain),
// so a housekeeping pass costs what is due, not the number of sessions. A
// session has at most one deadline: setting it again moves it.
#include <chrono>
#include <cstddef>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace reg::control {

class SessionDeadlines {
 public:
  using Time = std::chrono::steady_clock::time_point;

  void set(const std::string& id, Time deadline);
  void erase(const std::string& id);
  // The ids whose deadline is at or before `now`, earliest first; they
  // leave the index.
  std::vector<std::string> take_due(Time now);
  std::size_t size() const { return by_id_.size(); }

 private:
  std::set<std::pair<Time, std::string>> by_time_;
  std::unordered_map<std::string, Time> by_id_;
};

}  // namespace reg::control
