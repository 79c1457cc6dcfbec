#include "daemon/net/peer_closed.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace reg::net {

bool peer_has_closed(int socket) {
  char byte;
  const auto received = ::recv(socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (received == 0) return true;
  return received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

}  // namespace reg::net
