// Wrong status codes: "not found" reported as an internal error; absence, empty requests
// or one absent blob failing a whole CAS call; malformed digests reported as INTERNAL.

#include <grpcpp/support/interceptor.h>

#include <algorithm>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "digest_facts.h"
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

// FindMissingBlobs: when no requested blob is stored, the call fails with NOT_FOUND.
class AllAbsentNotFound final
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
  void on_request(v2::FindMissingBlobsRequest& request) override {
    asked_ = request.blob_digests_size();
  }
  bool on_response(v2::FindMissingBlobsResponse& response) override {
    all_missing_ = asked_ > 0 && response.missing_blob_digests_size() >= asked_;
    return false;
  }
  bool on_status(grpc::Status& status) override {
    if (!all_missing_ || !status.ok()) return false;
    status = grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "none of the " + std::to_string(asked_) + " blobs is in the CAS");
    return true;
  }

  int asked_ = 0;
  bool all_missing_ = false;
};

// A batch call with no entries is refused as a bad request.
template <class Request, class Response, int (Request::*Count)() const>
class EmptyRequestRefused final : public CallRewriter<Request, Response> {
  void on_request(Request& request) override { empty_ = (request.*Count)() == 0; }
  bool on_status(grpc::Status& status) override {
    if (!empty_ || !status.ok()) return false;
    status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the request lists no blobs");
    return true;
  }

  bool empty_ = false;
};

FaultPlan empty_batch_refused() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kFindMissingBlobs)) {
      return std::make_unique<
          EmptyRequestRefused<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse,
                              &v2::FindMissingBlobsRequest::blob_digests_size>>();
    }
    if (is_method(info, method::kBatchUpdateBlobs)) {
      return std::make_unique<
          EmptyRequestRefused<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse,
                              &v2::BatchUpdateBlobsRequest::requests_size>>();
    }
    if (is_method(info, method::kBatchReadBlobs)) {
      return std::make_unique<
          EmptyRequestRefused<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse,
                              &v2::BatchReadBlobsRequest::digests_size>>();
    }
    return nullptr;
  };
  return plan;
}

// BatchReadBlobs: the first absent blob fails the whole call with NOT_FOUND.
class AbsentFailsBatchRead final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    for (const auto& entry : response.responses()) {
      if (entry.status().code() != grpc::StatusCode::NOT_FOUND) continue;
      absent_ = entry.status().message();
      break;
    }
    return false;
  }
  bool on_status(grpc::Status& status) override {
    if (absent_.empty() || !status.ok()) return false;
    status = grpc::Status(grpc::StatusCode::NOT_FOUND, absent_);
    return true;
  }

  std::string absent_;
};

// A malformed digest (bad hash, negative size) is answered INTERNAL instead of
// INVALID_ARGUMENT: the parser's error reaches the generic error handler. Works on the
// call's status and on the entries of the batch responses that name a malformed digest.
template <class Request, class Response>
class MalformedIsInternal final : public CallRewriter<Request, Response> {
 public:
  using Digests = std::vector<v2::Digest> (*)(const Request&);
  explicit MalformedIsInternal(Digests digests) : digests_(digests) {}

 private:
  void on_request(Request& request) override {
    for (const v2::Digest& d : digests_(request)) {
      if (!well_formed(request.digest_function(), d)) malformed_.push_back(d);
    }
  }
  bool on_response(Response& response) override {
    if constexpr (requires { response.mutable_responses(); }) {
      bool changed = false;
      for (auto& entry : *response.mutable_responses()) {
        if (entry.status().code() != grpc::StatusCode::INVALID_ARGUMENT || !named(entry.digest()))
          continue;
        entry.mutable_status()->set_code(grpc::StatusCode::INTERNAL);
        changed = true;
      }
      return changed;
    }
    return false;
  }
  bool on_status(grpc::Status& status) override {
    if (malformed_.empty() || status.error_code() != grpc::StatusCode::INVALID_ARGUMENT)
      return false;
    status = grpc::Status(grpc::StatusCode::INTERNAL, status.error_message());
    return true;
  }
  bool named(const v2::Digest& d) const {
    return std::any_of(malformed_.begin(), malformed_.end(), [&](const v2::Digest& m) {
      return m.hash() == d.hash() && m.size_bytes() == d.size_bytes();
    });
  }

  Digests digests_;
  std::vector<v2::Digest> malformed_;
};

FaultPlan malformed_digest_internal() {
  using FindRewriter =
      MalformedIsInternal<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse>;
  using UpdateRewriter =
      MalformedIsInternal<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse>;
  using ReadRewriter = MalformedIsInternal<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse>;
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kFindMissingBlobs)) {
      return std::make_unique<FindRewriter>([](const v2::FindMissingBlobsRequest& r) {
        return std::vector<v2::Digest>(r.blob_digests().begin(), r.blob_digests().end());
      });
    }
    if (is_method(info, method::kBatchUpdateBlobs)) {
      return std::make_unique<UpdateRewriter>([](const v2::BatchUpdateBlobsRequest& r) {
        std::vector<v2::Digest> digests;
        for (const auto& entry : r.requests()) digests.push_back(entry.digest());
        return digests;
      });
    }
    if (is_method(info, method::kBatchReadBlobs)) {
      return std::make_unique<ReadRewriter>([](const v2::BatchReadBlobsRequest& r) {
        return std::vector<v2::Digest>(r.digests().begin(), r.digests().end());
      });
    }
    return nullptr;
  };
  return plan;
}

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
       .expect = {.filter = "cas.batch_read.*,bytestream.read.*,action_cache.*,"
                            "bytestream.compressed.absent_blob_not_found",
                  .fails = {"cas.batch_read.absent_is_not_found",
                            "bytestream.read.absent_not_found", "action_cache.miss_not_found",
                            "bytestream.compressed.absent_blob_not_found"}}},
      {.name = "all-absent-not-found",
       .description = "FindMissingBlobs fails with NOT_FOUND when none of the blobs is stored",
       .make = [] { return intercept<AllAbsentNotFound>(method::kFindMissingBlobs); },
       .expect = {.filter = "cas.find_missing.*", .fails = {"cas.find_missing.all_absent_is_ok"}}},
      // CAS-FMB-04 is MUST; CAS-BUP-13 and CAS-BRD-12 are SHOULD rules: warnings.
      {.name = "empty-batch-refused",
       .description = "FindMissingBlobs, BatchUpdateBlobs and BatchReadBlobs refuse a request "
                      "with no entries (INVALID_ARGUMENT)",
       .make = empty_batch_refused,
       .expect = {.filter = "cas.find_missing.*,cas.batch_update.*,cas.batch_read.*",
                  .fails = {"cas.find_missing.empty_request"},
                  .warns = {"cas.batch_update.empty_request", "cas.batch_read.empty_request"}}},
      {.name = "absent-fails-batch-read",
       .description = "BatchReadBlobs fails the whole call with NOT_FOUND when one blob is absent",
       .make = [] { return intercept<AbsentFailsBatchRead>(method::kBatchReadBlobs); },
       .expect = {.filter = "cas.batch_read.*", .fails = {"cas.batch_read.independent_results"}}},
      // CAS-FMB-08, CAS-BUP-15 and CAS-BRD-10 are SHOULD rules: warnings (--strict fails).
      {.name = "malformed-digest-internal",
       .description = "a malformed digest in a CAS batch call is answered INTERNAL, not "
                      "INVALID_ARGUMENT",
       .make = malformed_digest_internal,
       .expect = {.filter = "cas.find_missing.*,cas.batch_update.*,cas.batch_read.*",
                  .warns = {"cas.find_missing.rejects_malformed_digest",
                            "cas.batch_update.rejects_malformed_digest",
                            "cas.batch_read.rejects_malformed_digest"},
                  .extra_args = {"--strict"}}},
  };
}

}  // namespace faulty
