#include "daemon/control/health_monitor.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/asio/steady_timer.hpp>

#include "daemon/proxy/http_probe.hpp"

namespace reg::control {
namespace {

using Clock = std::chrono::steady_clock;

// What one checker runs with, merged from the routes that share it.
struct CheckSettings {
  Milliseconds interval{0};
  Milliseconds timeout{0};
  int rise = 2;
  int fall = 3;
  StatusRange expected;
  std::vector<std::uint64_t> routes;
};

struct CheckOutcome {
  bool passed = false;
  std::string reason;  // the text a backend_health_changed event carries
};

CheckOutcome judge(const proxy::ProbeResult& result, const StatusRange& expected) {
  if (!result.reachable) return {false, result.error};
  return {expected.contains(result.status_code), "status " + std::to_string(result.status_code)};
}

// Consecutive passes and failures against rise and fall. Only the run that
// could flip the state is counted, so the counters stay bounded however long
// a backend stays in one state.
class HealthTally {
 public:
  // True when this check flips the state.
  bool record(bool passed, int rise, int fall) {
    if (passed) {
      failures_ = 0;
      if (healthy_ || ++passes_ < rise) return false;
    } else {
      passes_ = 0;
      if (!healthy_ || ++failures_ < fall) return false;
    }
    healthy_ = !healthy_;
    passes_ = failures_ = 0;
    return true;
  }
  bool healthy() const { return healthy_; }

 private:
  bool healthy_ = true;
  int passes_ = 0;
  int failures_ = 0;
};

}  // namespace

// Probes one backend + path on its own schedule, one probe at a time, and
// reports every change of health to each route that shares it. Timer and
// probe handlers hold only weak references, so a checker that the monitor
// dropped is gone, and one that was stopped does nothing more. A probe cannot
// be cancelled: one in flight runs out on its own timeout, unheard.
class HealthMonitor::Checker : public std::enable_shared_from_this<Checker> {
 public:
  Checker(boost::asio::io_context& io, BackendUrl backend, std::string path,
          std::shared_ptr<const std::function<void(const HealthChange&)>> on_change)
      : io_(io),
        backend_(std::move(backend)),
        backend_text_(backend_.to_string()),
        path_(std::move(path)),
        on_change_(std::move(on_change)),
        timer_(io) {}

  // The first check waits `first_offset` so that checkers created together
  // do not all fire at once.
  void start(CheckSettings settings, Milliseconds first_offset) {
    settings_ = std::move(settings);
    arm(Clock::now() + first_offset);
  }

  // New settings keep the tally. A shorter interval brings the waiting check
  // forward; otherwise the new interval applies from the next check on.
  void configure(CheckSettings settings) {
    settings_ = std::move(settings);
    if (probe_in_flight_) return;
    const Clock::time_point due = last_probe_start_.value_or(Clock::now()) + settings_.interval;
    if (due < next_due_) arm(due);
  }

  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

  std::shared_ptr<const proxy::BackendHealth> health() const { return health_; }

 private:
  void arm(Clock::time_point due) {
    next_due_ = due;
    timer_.expires_at(due);
    // Re-arming cancels the previous wait, but its handler may already be
    // queued with success; the generation tells it that it is stale.
    timer_.async_wait([weak = weak_from_this(), generation = ++arm_generation_](
                          const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped_ || generation != self->arm_generation_) return;
      self->probe();
    });
  }

  void probe() {
    probe_in_flight_ = true;
    last_probe_start_ = Clock::now();
    proxy::async_probe(io_, backend_, path_, settings_.timeout,
                       [weak = weak_from_this()](proxy::ProbeResult result) {
                         auto self = weak.lock();
                         if (self && !self->stopped_) self->on_probe_result(result);
                       });
  }

  void on_probe_result(const proxy::ProbeResult& result) {
    probe_in_flight_ = false;
    // Measured from the start of the last probe, so a slow backend is not
    // probed less often; a probe longer than the interval delays the next.
    arm(*last_probe_start_ + settings_.interval);

    const CheckOutcome outcome = judge(result, settings_.expected);
    if (!tally_.record(outcome.passed, settings_.rise, settings_.fall)) return;
    health_->set_healthy(tally_.healthy(), Clock::now());
    announce(outcome.reason);
  }

  // on_change may reconcile or stop the monitor: the loop runs over a copy of
  // the routes, and a stop ends it. The probe handler's reference keeps this
  // checker alive until it returns.
  void announce(const std::string& reason) {
    const std::vector<std::uint64_t> routes = settings_.routes;
    for (std::uint64_t route : routes) {
      if (stopped_) return;
      (*on_change_)(HealthChange{route, backend_text_, tally_.healthy(), reason});
    }
  }

  boost::asio::io_context& io_;
  const BackendUrl backend_;
  const std::string backend_text_;
  const std::string path_;
  const std::shared_ptr<const std::function<void(const HealthChange&)>> on_change_;
  const std::shared_ptr<proxy::BackendHealth> health_ = std::make_shared<proxy::BackendHealth>();

  CheckSettings settings_;
  HealthTally tally_;
  boost::asio::steady_timer timer_;
  Clock::time_point next_due_;
  std::uint64_t arm_generation_ = 0;
  std::optional<Clock::time_point> last_probe_start_;
  bool probe_in_flight_ = false;
  bool stopped_ = false;
};

HealthMonitor::HealthMonitor(boost::asio::io_context& io, std::function<void(const HealthChange&)> on_change)
    : io_(io),
      on_change_(std::make_shared<const std::function<void(const HealthChange&)>>(std::move(on_change))),
      offset_generator_(std::random_device{}()) {}

HealthMonitor::~HealthMonitor() { stop(); }

void HealthMonitor::reconcile(const std::vector<HealthCheckSpec>& specs) {
  if (stopped_) return;

  struct Wanted {
    BackendUrl backend;
    CheckSettings settings;
  };
  std::map<CheckerKey, Wanted> wanted;
  for (const HealthCheckSpec& spec : specs) {
    auto [entry, first] = wanted.try_emplace(
        CheckerKey{spec.backend.to_string(), spec.path},
        Wanted{spec.backend, CheckSettings{spec.interval, spec.timeout, spec.rise, spec.fall, spec.expected, {}}});
    CheckSettings& settings = entry->second.settings;
    if (!first) {
      settings.interval = std::min(settings.interval, spec.interval);
      settings.timeout = std::min(settings.timeout, spec.timeout);
    }
    settings.routes.push_back(spec.route_number);
  }

  for (auto it = checkers_.begin(); it != checkers_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
    } else {
      it->second->stop();
      it = checkers_.erase(it);
    }
  }

  health_by_route_.clear();
  for (auto& [key, entry] : wanted) {
    auto& checker = checkers_[key];
    const bool is_new = !checker;
    if (is_new) checker = std::make_shared<Checker>(io_, std::move(entry.backend), key.second, on_change_);
    for (std::uint64_t route : entry.settings.routes) health_by_route_[route] = checker->health();
    if (is_new) {
      std::uniform_int_distribution<Milliseconds::rep> offset(
          0, std::max<Milliseconds::rep>(entry.settings.interval.count() - 1, 0));
      checker->start(std::move(entry.settings), Milliseconds(offset(offset_generator_)));
    } else {
      checker->configure(std::move(entry.settings));
    }
  }
}

std::shared_ptr<const proxy::BackendHealth> HealthMonitor::health_of(std::uint64_t route_number) const {
  auto found = health_by_route_.find(route_number);
  return found == health_by_route_.end() ? nullptr : found->second;
}

void HealthMonitor::stop() {
  stopped_ = true;
  for (auto& [key, checker] : checkers_) checker->stop();
  checkers_.clear();
  health_by_route_.clear();
}

}  // namespace reg::control
