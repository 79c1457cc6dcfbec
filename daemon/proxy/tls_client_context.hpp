#pragma once
// The client side of TLS to backends, shared by probes (BACKEND_TEST, health
// checks, maintenance verification) and the proxy's https/wss upstreams:
// one verifying context and the per-connection checks that go with it.
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

namespace reg::proxy {

// Verifies peers against the default trust store, or the one SSL_CERT_FILE /
// SSL_CERT_DIR name (OpenSSL's own variables). Loading a trust store is far
// too slow to repeat per connection, so this is shared, and rebuilt only when
// those variables changed since it was built. Any thread.
std::shared_ptr<boost::asio::ssl::context> shared_tls_client_context();

// Before the handshake: sends `host` as SNI (not an IP address: RFC 6066) and
// makes verification check the certificate against it, name or address.
void expect_server_name(SSL* connection, const std::string& host);

// After a failed handshake: "certificate verify failed: <reason>" when the
// certificate was refused, else the error's own message.
std::string describe_tls_failure(SSL* connection, const boost::system::error_code& ec);

}  // namespace reg::proxy
