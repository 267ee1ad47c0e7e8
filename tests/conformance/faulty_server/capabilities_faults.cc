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

std::vector<FaultEntry> capabilities_faults() {
  return {
      {.name = "capabilities-no-digest-functions",
       .description = "GetCapabilities lists no cache digest functions",
       .make = [] { return intercept<NoDigestFunctions>(method::kGetCapabilities); },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.digest_functions_listed"}}},
      {.name = "split-splice-unbacked",
       .description = "GetCapabilities advertises SplitBlob/SpliceBlob, which answer UNIMPLEMENTED",
       .make = [] { return intercept<AdvertisesSplitSplice>(method::kGetCapabilities); },
       .expect = {.filter = "capabilities.*,cas.split.*",
                  .fails = {"capabilities.split_splice_flags_truthful",
                            "cas.split.chunks_reassemble"}}},
  };
}

}  // namespace faulty
