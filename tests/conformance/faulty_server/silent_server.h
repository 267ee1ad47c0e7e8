#pragma once
// hang-all: a TCP listener that accepts connections and reads whatever arrives, but never
// writes a byte. To a gRPC client it is a server that never answers (not even the HTTP/2
// handshake), so every call runs into its deadline.

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <thread>

#include "tcp_socket.h"

namespace faulty {

class SilentServer {
 public:
  // Listens on `listen` ("HOST:PORT", IPv4; port 0 picks a free one).
  static absl::StatusOr<std::unique_ptr<SilentServer>> start(const std::string& listen);
  SilentServer(Listener listener, WakePipe wake);
  ~SilentServer();  // closes every connection
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  int port() const { return listener_.port; }

 private:
  void run();

  Listener listener_;
  WakePipe wake_;       // the destructor wakes run() to stop it
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace faulty
