// A server that reports "not found" as an internal error: every NOT_FOUND status, whether
// a call's own or a BatchReadBlobs entry's, goes out as INTERNAL with the same message.

#include <grpcpp/support/interceptor.h>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;

bool not_found_to_internal(grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::NOT_FOUND) return false;
  status = grpc::Status(grpc::StatusCode::INTERNAL, status.error_message(), status.error_details());
  return true;
}

// Any method: only the final status changes, so the messages need no type.
class NotFoundIsInternal final : public grpc::experimental::Interceptor {
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (not_found_to_internal(status)) methods->ModifySendStatus(status);
    }
    methods->Proceed();
  }
};

// BatchReadBlobs: the per-blob statuses too (google.rpc.Code 5 -> 13).
class BatchReadNotFoundIsInternal final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    bool changed = false;
    for (auto& entry : *response.mutable_responses()) {
      if (entry.status().code() != grpc::StatusCode::NOT_FOUND) continue;
      entry.mutable_status()->set_code(grpc::StatusCode::INTERNAL);
      changed = true;
    }
    return changed;
  }
  bool on_status(grpc::Status& status) override { return not_found_to_internal(status); }
};

FaultPlan not_found_as_internal() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kBatchReadBlobs)) {
      return std::make_unique<BatchReadNotFoundIsInternal>();
    }
    return std::make_unique<NotFoundIsInternal>();
  };
  return plan;
}

}  // namespace

std::vector<FaultEntry> status_faults() {
  return {
      {.name = "wrong-status-code",
       .description = "every NOT_FOUND (call or BatchReadBlobs entry) is sent as INTERNAL",
       .make = not_found_as_internal,
       .expect = {.filter = "cas.batch_read.*,bytestream.read.*,action_cache.*",
                  .fails = {"cas.batch_read.absent_is_not_found",
                            "bytestream.read.absent_not_found", "action_cache.miss_not_found"}}},
  };
}

}  // namespace faulty
