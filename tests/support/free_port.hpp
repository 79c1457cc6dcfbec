#pragma once
// Loopback ports nobody listens on, for daemons under test and for "closed port"
// backends. The port is released before use, so another process may take it in
// between; callers that bind it retry on "address in use".
#include <cstdint>

namespace reg::test {

std::uint16_t free_loopback_port();

}  // namespace reg::test
