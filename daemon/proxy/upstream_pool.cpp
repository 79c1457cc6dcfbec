#include "daemon/proxy/upstream_pool.hpp"

#include <cerrno>

#include <sys/socket.h>

namespace reg::proxy {

// One system call per reuse: MSG_DONTWAIT makes this peek non-blocking
// without switching the socket's mode (asio's non_blocking() is an ioctl).
bool idle_socket_usable(int descriptor) {
  char probe;
  const ssize_t peeked = ::recv(descriptor, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace reg::proxy
