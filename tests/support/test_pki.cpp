#include "support/test_pki.hpp"

#include <cstdlib>
#include <stdexcept>

namespace reg::test {

namespace ssl = boost::asio::ssl;

TestPki::TestPki() {
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      " -keyout ca.key -out ca.pem -days 2 -subj /CN=regd-test-ca"
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
  issue("server", "DNS:localhost,IP:127.0.0.1");
  issue("stranger", "DNS:stranger.example");
}

std::unique_ptr<ssl::context> TestPki::server_context(const std::string& name) const {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->use_certificate_chain_file((dir_.path() / (name + ".pem")).string());
  context->use_private_key_file((dir_.path() / (name + ".key")).string(), ssl::context::pem);
  return context;
}

void TestPki::issue(const std::string& name, const std::string& subject_alt_names) const {
  dir_.write_file(name + ".ext", "subjectAltName=" + subject_alt_names + "\n");
  run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + name + ".key -out " + name +
      ".csr -subj /CN=" + name);
  run("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + name +
      ".pem -days 2 -extfile " + name + ".ext");
}

void TestPki::run(const std::string& command) const {
  const std::string in_dir = "cd '" + dir_.path().string() + "' && " + command + " >/dev/null 2>&1";
  if (std::system(in_dir.c_str()) != 0) throw std::runtime_error("test PKI: failed: " + command);
}

}  // namespace reg::test
