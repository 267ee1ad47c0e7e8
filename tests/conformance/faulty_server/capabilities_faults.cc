// Capabilities answers that are wrong: no digest functions (CAP-04 requires at least one),
// or SplitBlob/SpliceBlob advertised while the CAS still answers UNIMPLEMENTED (CAP-19).

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;

class NoDigestFunctions final
    : public CallRewriter<v2::GetCapabilitiesRequest, v2::ServerCapabilities> {
  bool on_response(v2::ServerCapabilities& capabilities) override {
    capabilities.mutable_cache_capabilities()->clear_digest_functions();
    return true;
  }
};

// SplitBlob/SpliceBlob answer UNIMPLEMENTED while GetCapabilities (static) advertises them,
// as on a server whose CAS backend lacks the handlers.
template <class Request, class Response>
class Unimplemented final : public CallRewriter<Request, Response> {
  bool on_status(grpc::Status& status) override {
    status = grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "");
    return true;
  }
};

FaultPlan split_splice_unbacked() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kSplitBlob))
      return std::make_unique<Unimplemented<v2::SplitBlobRequest, v2::SplitBlobResponse>>();
    if (is_method(info, method::kSpliceBlob))
      return std::make_unique<Unimplemented<v2::SpliceBlobRequest, v2::SpliceBlobResponse>>();
    return nullptr;
  };
  return plan;
}

}  // namespace

std::vector<FaultEntry> capabilities_faults() {
  return {
      {.name = "capabilities-no-digest-functions",
       .description = "GetCapabilities lists no cache digest functions",
       .make = [] { return intercept<NoDigestFunctions>(method::kGetCapabilities); },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.digest_functions_listed"}}},
      {.name = "split-splice-unbacked",
       .description = "GetCapabilities advertises SplitBlob/SpliceBlob, which answer UNIMPLEMENTED",
       .make = split_splice_unbacked,
       .expect = {.filter = "capabilities.*,cas.split.*",
                  .fails = {"capabilities.split_splice_flags_truthful"}}},
  };
}

}  // namespace faulty
