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

class AdvertisesSplitSplice final
    : public CallRewriter<v2::GetCapabilitiesRequest, v2::ServerCapabilities> {
  bool on_response(v2::ServerCapabilities& capabilities) override {
    capabilities.mutable_cache_capabilities()->set_split_blob_support(true);
    capabilities.mutable_cache_capabilities()->set_splice_blob_support(true);
    return true;
  }
};

}  // namespace

FaultPlan capabilities_split_splice_unbacked() {
  return intercept<AdvertisesSplitSplice>(method::kGetCapabilities);
}

FaultPlan capabilities_no_digest_functions() {
  return intercept<NoDigestFunctions>(method::kGetCapabilities);
}

}  // namespace faulty
