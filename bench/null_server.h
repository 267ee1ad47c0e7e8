#pragma once
// The raw baseline: an in-process ByteStream server on 127.0.0.1 that does the least a
// ByteStream server can do. Write discards the data and reports it committed; Read streams
// filler from one preallocated buffer. No server can move bytes faster over gRPC on this
// machine, so its rate is the ceiling other servers are compared with.

#include <absl/status/statusor.h>
#include <grpcpp/server.h>

#include <cstdint>
#include <memory>
#include <string>

namespace reapi_bench {

class NullByteStreamServer {
 public:
  // Listens on 127.0.0.1 on a free port; Read answers in `chunk_size` messages.
  static absl::StatusOr<NullByteStreamServer> start(std::int64_t chunk_size);
  NullByteStreamServer(NullByteStreamServer&&) noexcept;
  NullByteStreamServer& operator=(NullByteStreamServer&&) = delete;
  ~NullByteStreamServer();

  // "grpc://127.0.0.1:PORT", as --target spells it.
  std::string address() const;

 private:
  class Service;
  NullByteStreamServer();
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace reapi_bench
