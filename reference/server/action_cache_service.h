#pragma once
// ActionCache (shared/reapi/action-cache.md): results stored through the same Storage as
// the CAS, keyed by action digest within their instance. A hit whose referenced blobs are
// gone is answered NOT_FOUND (AC-04, note D1), so a client never gets a result it cannot
// download. Inline stdout/stderr/output contents are dropped on update (stored as CAS
// blobs) and filled on a get only when asked for, within a byte budget (AC-05).

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "server/cas.h"
#include "server/policy.h"

namespace reference {

class ActionCacheService final
    : public build::bazel::remote::execution::v2::ActionCache::CallbackService {
 public:
  ActionCacheService(const Policy& policy, Cas& cas);

  grpc::ServerUnaryReactor* GetActionResult(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::GetActionResultRequest* request,
      build::bazel::remote::execution::v2::ActionResult* response) override;
  grpc::ServerUnaryReactor* UpdateActionResult(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::UpdateActionResultRequest* request,
      build::bazel::remote::execution::v2::ActionResult* response) override;

 private:
  absl::Status get(const build::bazel::remote::execution::v2::GetActionResultRequest& request,
                   build::bazel::remote::execution::v2::ActionResult& result);
  absl::Status update(const build::bazel::remote::execution::v2::UpdateActionResultRequest& request,
                      build::bazel::remote::execution::v2::ActionResult& result);
  // NOT_FOUND naming the first blob the result needs that the CAS no longer has.
  absl::Status check_complete(reapi::DigestFunction fn,
                              const build::bazel::remote::execution::v2::ActionResult& result);
  absl::Status check_trees(reapi::DigestFunction fn,
                           const build::bazel::remote::execution::v2::ActionResult& result);
  void inline_requested(reapi::DigestFunction fn,
                        const build::bazel::remote::execution::v2::GetActionResultRequest& request,
                        build::bazel::remote::execution::v2::ActionResult& result);

  const Policy& policy_;
  Cas& cas_;
};

}  // namespace reference
