#pragma once
// The soft limit on open files is often 1024, far below --max-connections
// plus the proxy's client and upstream sockets; the hard limit is what the
// operator (or systemd's LimitNOFILE) actually allows.
namespace reg::net {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
unsigned long raise_open_file_limit();

}  // namespace reg::net
