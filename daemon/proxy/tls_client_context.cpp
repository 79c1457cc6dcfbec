#include "daemon/proxy/tls_client_context.hpp"

#include <cstdlib>
#include <mutex>

#include <boost/asio/ip/address.hpp>
#include <openssl/x509_vfy.h>

namespace reg::proxy {
namespace {

namespace ssl = boost::asio::ssl;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  return !not_an_address;
}

}  // namespace

std::shared_ptr<ssl::context> shared_tls_client_context() {
  static std::mutex mutex;
  static std::string built_for;
  static std::shared_ptr<ssl::context> context;

  std::lock_guard lock(mutex);
  std::string trust_store = environment("SSL_CERT_FILE") + '\n' + environment("SSL_CERT_DIR");
  if (!context || trust_store != built_for) {
    auto fresh = std::make_shared<ssl::context>(ssl::context::tls_client);
    // A trust store that cannot be loaded stays empty, and every verification
    // then fails with a message that names the missing issuer.
    boost::system::error_code unloadable;
    fresh->set_default_verify_paths(unloadable);
    fresh->set_verify_mode(ssl::verify_peer);
    context = std::move(fresh);
    built_for = std::move(trust_store);
  }
  return context;
}

void expect_server_name(SSL* connection, const std::string& host) {
  if (!is_ip_literal(host)) SSL_set_tlsext_host_name(connection, host.c_str());
  SSL_set1_host(connection, host.c_str());
}

std::string describe_tls_failure(SSL* connection, const boost::system::error_code& ec) {
  const long verification = SSL_get_verify_result(connection);
  if (verification != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verification);
  }
  return ec.message();
}

}  // namespace reg::proxy
