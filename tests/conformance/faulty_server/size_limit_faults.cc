// Faults of max_cas_blob_size_bytes (CAP-18, CAS-BUP-12, BS-WRITE-12): a limit advertised
// and not enforced, one enforced with the quota code, and -1 for "no limit". The reference
// runs without a limit here; the interceptors advertise one (1 MiB, within what the suite
// can send over it) and stand in for its enforcement.

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/resource_name.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;
namespace bs = google::bytestream;

constexpr std::int64_t kLimit = 1 << 20;

// Advertises `limit` as max_cas_blob_size_bytes.
template <std::int64_t limit>
class AdvertisesLimit final
    : public CallRewriter<v2::GetCapabilitiesRequest, v2::ServerCapabilities> {
  bool on_response(v2::ServerCapabilities& capabilities) override {
    capabilities.mutable_cache_capabilities()->set_max_cas_blob_size_bytes(limit);
    return true;
  }
};

// Entries over the limit refused with RESOURCE_EXHAUSTED.
class BatchOverLimitExhausted final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  bool on_response(v2::BatchUpdateBlobsResponse& response) override {
    bool changed = false;
    for (auto& entry : *response.mutable_responses()) {
      if (entry.digest().size_bytes() <= kLimit) continue;
      entry.mutable_status()->set_code(static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
      entry.mutable_status()->set_message("blob over the size limit");
      changed = true;
    }
    return changed;
  }
};

// A Write whose resource name is over the limit refused with RESOURCE_EXHAUSTED.
class WriteOverLimitExhausted final : public CallRewriter<bs::WriteRequest, bs::WriteResponse> {
  void on_request(bs::WriteRequest& request) override {
    if (seen_name_ || request.resource_name().empty()) return;
    seen_name_ = true;
    auto name = reapi::parse_write_resource_name(request.resource_name());
    over_ = name.ok() && name->digest.size_bytes > kLimit;
  }
  bool on_status(grpc::Status& status) override {
    if (!over_) return false;
    status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "blob over the size limit");
    return true;
  }
  bool seen_name_ = false;
  bool over_ = false;
};

FaultPlan limit_as_resource_exhausted() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kGetCapabilities))
      return std::make_unique<AdvertisesLimit<kLimit>>();
    if (is_method(info, method::kBatchUpdateBlobs))
      return std::make_unique<BatchOverLimitExhausted>();
    if (is_method(info, method::kWrite)) return std::make_unique<WriteOverLimitExhausted>();
    return nullptr;
  };
  return plan;
}

// The three checks of the limit, run together; SHOULD rules, so --strict.
Expectation caught_by_limit_checks() {
  return {
      .filter =
          "capabilities.max_blob_size_valid,cas.batch_update.rejects_blob_over_max_size,"
          "bytestream.write.over_max_size_rejected",
      .warns = {"capabilities.max_blob_size_valid", "cas.batch_update.rejects_blob_over_max_size",
                "bytestream.write.over_max_size_rejected"},
      .extra_args = {"--strict"}};
}

}  // namespace

std::vector<FaultEntry> size_limit_faults() {
  return {
      {.name = "blob-limit-unenforced",
       .description = "GetCapabilities advertises max_cas_blob_size_bytes (1 MiB) that no "
                      "upload path enforces",
       .make = [] { return intercept<AdvertisesLimit<kLimit>>(method::kGetCapabilities); },
       .expect = caught_by_limit_checks()},
      {.name = "blob-limit-resource-exhausted",
       .description = "uploads over max_cas_blob_size_bytes are refused with RESOURCE_EXHAUSTED, "
                      "not INVALID_ARGUMENT",
       .make = limit_as_resource_exhausted,
       .expect = caught_by_limit_checks()},
      {.name = "blob-limit-negative",
       .description = "GetCapabilities advertises max_cas_blob_size_bytes -1 to mean \"no limit\"",
       .make = [] { return intercept<AdvertisesLimit<-1>>(method::kGetCapabilities); },
       .expect = {.filter = "capabilities.*",
                  .warns = {"capabilities.max_blob_size_valid"},
                  .extra_args = {"--strict"}}},
  };
}

}  // namespace faulty
