#pragma once
// A throwaway CA and two server certificates it signed, made with the openssl
// command line: "server" for localhost and 127.0.0.1, "stranger" for another
// name. For tests of TLS to backends.
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "support/temp_dir.hpp"

namespace reg::test {

class TestPki {
 public:
  TestPki();

  std::string ca() const { return (dir_.path() / "ca.pem").string(); }
  // A server context presenting certificate `name` ("server" or "stranger").
  std::unique_ptr<boost::asio::ssl::context> server_context(const std::string& name) const;

 private:
  void issue(const std::string& name, const std::string& subject_alt_names) const;
  void run(const std::string& command) const;

  TempDir dir_{"regd-pki"};
};

}  // namespace reg::test
