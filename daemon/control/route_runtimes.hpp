#pragma once
// The live state of every applied route, kept across routing snapshots so
// counters survive applies; dropped when its route leaves the active config.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "daemon/proxy/route_runtime.hpp"

namespace reg::control {

class RouteRuntimes {
 public:
  explicit RouteRuntimes(unsigned workers) : workers_(workers) {}

  const std::shared_ptr<proxy::RouteRuntime>& get_or_create(std::uint64_t route) {
    auto& runtime = runtimes_[route];
    if (!runtime) runtime = std::make_shared<proxy::RouteRuntime>(workers_);
    return runtime;
  }

  const proxy::RouteRuntime* find(std::uint64_t route) const {
    auto found = runtimes_.find(route);
    return found == runtimes_.end() ? nullptr : found->second.get();
  }

  // Snapshots still serving requests keep their own references.
  void retain_only(const std::unordered_set<std::uint64_t>& live) {
    for (auto it = runtimes_.begin(); it != runtimes_.end();) {
      if (live.count(it->first)) ++it;
      else it = runtimes_.erase(it);
    }
  }

  unsigned workers() const { return workers_; }

 private:
  unsigned workers_;
  std::unordered_map<std::uint64_t, std::shared_ptr<proxy::RouteRuntime>> runtimes_;
};

}  // namespace reg::control
