#pragma once
// The second phase of MAINT_ENTER / MAINT_EXIT: probe backends until each
// answers with a status below 500, or give up at a deadline. Asynchronous on
// the control io_context; never blocks other clients.
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/value_parsers.hpp"

namespace reg::control {

// `done(true, "")` once every backend answered below 500; `done(false, url)`
// with the first backend still unreachable when `timeout` ran out.
void wait_until_reachable(boost::asio::io_context& io, std::vector<BackendUrl> backends, Milliseconds timeout,
                          std::function<void(bool, std::string)> done);

}  // namespace reg::control
