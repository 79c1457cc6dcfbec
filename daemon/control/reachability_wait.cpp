#include "daemon/control/reachability_wait.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "daemon/proxy/http_probe.hpp"

namespace reg::control {
namespace {

constexpr Milliseconds kRetryInterval{500};
constexpr Milliseconds kProbeTimeout{2000};

class ReachabilityWait : public std::enable_shared_from_this<ReachabilityWait> {
 public:
  ReachabilityWait(boost::asio::io_context& io, std::vector<BackendUrl> backends, Milliseconds timeout,
                   std::function<void(bool, std::string)> done)
      : io_(io),
        waiting_(std::move(backends)),
        deadline_(std::chrono::steady_clock::now() + timeout),
        timer_(io),
        done_(std::move(done)) {}

  void probe_round() {
    if (waiting_.empty()) return done_(true, {});
    const auto remaining =
        std::chrono::duration_cast<Milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return done_(false, waiting_.front().to_string());
    outstanding_ = waiting_.size();
    still_waiting_.clear();
    for (const auto& backend : waiting_) {
      proxy::async_probe(io_, backend, "", std::min(kProbeTimeout, remaining),
                         [self = shared_from_this(), backend](const proxy::ProbeResult& result) {
                           if (!result.reachable || result.status_code >= 500) self->still_waiting_.push_back(backend);
                           if (--self->outstanding_ == 0) self->round_finished();
                         });
    }
  }

 private:
  void round_finished() {
    waiting_.swap(still_waiting_);
    if (waiting_.empty()) return done_(true, {});
    timer_.expires_after(kRetryInterval);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) { self->probe_round(); });
  }

  boost::asio::io_context& io_;
  std::vector<BackendUrl> waiting_;
  std::vector<BackendUrl> still_waiting_;
  std::size_t outstanding_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  boost::asio::steady_timer timer_;
  std::function<void(bool, std::string)> done_;
};

}  // namespace

void wait_until_reachable(boost::asio::io_context& io, std::vector<BackendUrl> backends, Milliseconds timeout,
                          std::function<void(bool, std::string)> done) {
  std::make_shared<ReachabilityWait>(io, std::move(backends), timeout, std::move(done))->probe_round();
}

}  // namespace reg::control
