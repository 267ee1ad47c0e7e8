#pragma once
// A TCP proxy in front of the reference server that carries the server's bytes the way a
// bad network or an overloaded server does: at a trickle, or cut off (a TCP reset) once a
// connection has carried so many. Client-to-server bytes pass at full speed.

#include <absl/status/statusor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "tcp_socket.h"

namespace faulty {

struct Shaping {
  std::int64_t down_bytes_per_second{0};   // server to client, per connection; 0: no limit
  std::int64_t reset_after_down_bytes{0};  // reset a connection after this many; 0: never
};

class ShapingProxy {
 public:
  // Listens on `listen` ("HOST:PORT", IPv4) and forwards to 127.0.0.1:`upstream_port`.
  static absl::StatusOr<std::unique_ptr<ShapingProxy>> start(const std::string& listen,
                                                             int upstream_port, Shaping shaping);
  ShapingProxy(Listener listener, WakePipe wake, int upstream_port, Shaping shaping);
  ~ShapingProxy();  // closes every connection
  ShapingProxy(const ShapingProxy&) = delete;
  ShapingProxy& operator=(const ShapingProxy&) = delete;

  int port() const { return listener_.port; }

 private:
  void run();

  Listener listener_;
  WakePipe wake_;  // the destructor wakes run() to stop it
  int upstream_port_;
  Shaping shaping_;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace faulty
