#pragma once
// Whether the other end of a connection has closed it, asked without
// consuming or waiting: an answer that took its time may find its client
// gone, and nobody should be counted as having received it. A peer that sent
// more (a pipelined request) has not closed; one that only shut down its
// sending side reads as closed, as nginx's check of a broken client
// connection reads it.
namespace reg::net {

bool peer_has_closed(int socket);

}  // namespace reg::net
