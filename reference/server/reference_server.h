#pragma once
// The reference server assembled: storage, the four services, and the gRPC server that
// carries them. Used by the reference-server binary and by in-process tests.

#include <absl/status/statusor.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <functional>
#include <memory>
#include <vector>

#include "server/action_cache_service.h"
#include "server/bytestream_service.h"
#include "server/capabilities_service.h"
#include "server/cas.h"
#include "server/cas_service.h"
#include "server/policy.h"
#include "server/server_config.h"
#include "storage/storage.h"

namespace reference {

class ReferenceServer {
 public:
  // Called on the builder after the services are registered, before the server starts:
  // the one extension point for embedders (test servers add interceptors through it).
  using BuilderHook = std::function<void(grpc::ServerBuilder&)>;

  // Starts serving on every address of config.listen. INVALID_ARGUMENT for a bad
  // configuration, UNAVAILABLE when an address cannot be bound.
  static absl::StatusOr<std::unique_ptr<ReferenceServer>> start(const ServerConfig& config,
                                                                std::unique_ptr<Storage> storage,
                                                                const BuilderHook& hook = {});
  ReferenceServer(const Policy& policy, std::unique_ptr<Storage> storage);
  ~ReferenceServer();

  // The ports bound, in the order of config.listen (0 for unix: addresses).
  const std::vector<int>& ports() const { return ports_; }
  Storage& storage() { return *storage_; }
  // Stops accepting calls and waits (up to `grace`) for those in flight, then cancels them.
  void shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  Policy policy_;
  std::unique_ptr<Storage> storage_;
  Cas cas_;
  CapabilitiesService capabilities_;
  CasService cas_service_;
  ByteStreamService bytestream_;
  ActionCacheService action_cache_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<int> ports_;
};

}  // namespace reference
