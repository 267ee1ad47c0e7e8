#pragma once
// hang-all: a TCP listener that accepts connections and reads whatever arrives, but never
// writes a byte. To a gRPC client it is a server that never answers (not even the HTTP/2
// handshake), so every call runs into its deadline.

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <thread>

namespace faulty {

class SilentServer {
 public:
  // Listens on `listen` ("HOST:PORT", IPv4; port 0 picks a free one).
  static absl::StatusOr<std::unique_ptr<SilentServer>> start(const std::string& listen);
  SilentServer(int listen_fd, int wake_read_fd, int wake_write_fd, int port);
  ~SilentServer();  // closes every connection
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  int port() const { return port_; }

 private:
  void run();

  int listen_fd_;
  int wake_read_fd_;  // a pipe: the destructor writes to it to stop run()
  int wake_write_fd_;
  int port_;
  std::thread thread_;
};

}  // namespace faulty
