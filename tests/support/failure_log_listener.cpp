// Prints the logs of the daemons a test is running at its first failed
// assertion, while they are still alive: a protocol reply alone rarely says why.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include "support/regd_process.hpp"

namespace reg::test {
namespace {

class FailureLogListener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) RegdProcess::print_running_logs();
    return true;
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(FailureLogListener)

}  // namespace reg::test
