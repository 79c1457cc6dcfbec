#pragma once
// A backend that answers every request with bytes the test wrote by hand, so
// tests can send framings a well-behaved library would not produce (chunks,
// bodies that end when the connection closes). It reads each request header
// (up to the empty line; requests with a body are not supported), writes
// `answer`, and closes the connection afterwards when told to.
#include <memory>
#include <string>

namespace reg::test {

class ScriptedBackend {
 public:
  ScriptedBackend(std::string answer, bool close_after_answer);
  ~ScriptedBackend();
  ScriptedBackend(const ScriptedBackend&) = delete;
  ScriptedBackend& operator=(const ScriptedBackend&) = delete;

  // "http://127.0.0.1:PORT"
  std::string url() const;

 private:
  class Server;
  std::unique_ptr<Server> server_;
};

}  // namespace reg::test
