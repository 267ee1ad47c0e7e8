#pragma once
// Capabilities: advertises exactly what this server does (shared/reapi/capabilities.md).

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "server/policy.h"

namespace reference {

class CapabilitiesService final
    : public build::bazel::remote::execution::v2::Capabilities::CallbackService {
 public:
  explicit CapabilitiesService(const Policy& policy);

  grpc::ServerUnaryReactor* GetCapabilities(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::GetCapabilitiesRequest* request,
      build::bazel::remote::execution::v2::ServerCapabilities* response) override;

  // What GetCapabilities answers (the same for every served instance).
  static build::bazel::remote::execution::v2::ServerCapabilities describe(const Policy& policy);

 private:
  const Policy& policy_;
  build::bazel::remote::execution::v2::ServerCapabilities capabilities_;
};

}  // namespace reference
