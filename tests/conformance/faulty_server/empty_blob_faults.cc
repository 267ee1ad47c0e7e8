// The empty blob, which every server holds without anyone uploading it (COM-05): a
// FindMissingBlobs that forgets it, and a server whose only special case for it is in
// FindMissingBlobs, so every read path looks it up in storage and answers NOT_FOUND.

#include <algorithm>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "bytestream_rewrite.h"
#include "call_rewriter.h"
#include "digest_facts.h"
#include "fault_plan.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;

// Reports the empty blob missing whenever it is asked about.
class EmptyBlobMissing final
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
  void on_request(v2::FindMissingBlobsRequest& request) override {
    for (const auto& proto : request.blob_digests()) {
      if (is_empty_blob(request.digest_function(), proto)) empties_.push_back(proto);
    }
  }
  bool on_response(v2::FindMissingBlobsResponse& response) override {
    for (const auto& empty : empties_) {
      const auto& missing = response.missing_blob_digests();
      const bool listed = std::any_of(missing.begin(), missing.end(),
                                      [&](const v2::Digest& d) { return same(d, empty); });
      if (!listed) *response.add_missing_blob_digests() = empty;
    }
    return !empties_.empty();
  }

  std::vector<v2::Digest> empties_;
};

class BatchReadEmptyNotFound final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  void on_request(v2::BatchReadBlobsRequest& request) override {
    function_ = request.digest_function();
  }
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    bool changed = false;
    for (auto& entry : *response.mutable_responses()) {
      if (!is_empty_blob(function_, entry.digest())) continue;
      entry.clear_data();
      entry.set_compressor(v2::Compressor::IDENTITY);
      entry.mutable_status()->set_code(grpc::StatusCode::NOT_FOUND);
      entry.mutable_status()->set_message("blob " + entry.digest().hash() + "/0 is not in the CAS");
      changed = true;
    }
    return changed;
  }

  int function_ = 0;
};

// The root is handed on with a size no blob of that hash has, so the service answers
// NOT_FOUND; the message names the root as asked.
class GetTreeEmptyRootNotFound final
    : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  void on_request(v2::GetTreeRequest& request) override {
    if (!is_empty_blob(request.digest_function(), request.root_digest())) return;
    root_ = request.root_digest().hash() + "/0";
    request.mutable_root_digest()->set_size_bytes(1);
  }
  bool on_status(grpc::Status& status) override {
    if (root_.empty() || status.error_code() != grpc::StatusCode::NOT_FOUND) return false;
    status =
        grpc::Status(grpc::StatusCode::NOT_FOUND, "root directory " + root_ + " is not in the CAS");
    return true;
  }

  std::string root_;
};

// Plain and compressed-blobs names alike.
class ReadEmptyNotFound final
    : public bytestream::Refusing<bytestream::ReadRequest, bytestream::ReadResponse> {
  void on_request(bytestream::ReadRequest& request) override {
    auto name = reapi::parse_read_resource_name(request.resource_name());
    if (!name.ok() || !bytestream::names_empty_blob(*name)) return;
    refuse(request, grpc::StatusCode::NOT_FOUND,
           "blob " + name->digest.to_string() + " is not in the CAS");
  }
};

FaultPlan empty_blob_only_in_find_missing() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kBatchReadBlobs)) return std::make_unique<BatchReadEmptyNotFound>();
    if (is_method(info, method::kGetTree)) return std::make_unique<GetTreeEmptyRootNotFound>();
    if (is_method(info, method::kRead)) return std::make_unique<ReadEmptyNotFound>();
    return nullptr;
  };
  return plan;
}

}  // namespace

std::vector<FaultEntry> empty_blob_faults() {
  return {
      {.name = "empty-blob-missing",
       .description = "FindMissingBlobs reports the empty blob missing",
       .make = [] { return intercept<EmptyBlobMissing>(method::kFindMissingBlobs); },
       .expect = {.filter = "cas.find_missing.*,common.*",
                  .fails = {"cas.find_missing.empty_blob_never_missing",
                            "common.empty_blob_always_present"}}},
      // CAP-16 is a SHOULD rule: API 2.2 and later promise the empty blob on every path.
      {.name = "empty-blob-only-in-find-missing",
       .description = "the empty blob is special-cased in FindMissingBlobs only: BatchReadBlobs, "
                      "GetTree and ByteStream Read look it up in storage and answer NOT_FOUND",
       .make = empty_blob_only_in_find_missing,
       .expect = {.filter = "common.empty_blob_always_present,"
                            "capabilities.high_version_matches_features,"
                            "cas.batch_read.empty_blob_always_present,cas.get_tree.empty_root,"
                            "bytestream.read.empty_blob,bytestream.compressed.empty_blob",
                  .fails = {"common.empty_blob_always_present",
                            "cas.batch_read.empty_blob_always_present", "cas.get_tree.empty_root",
                            "bytestream.read.empty_blob", "bytestream.compressed.empty_blob"},
                  .warns = {"capabilities.high_version_matches_features"}}},
  };
}

}  // namespace faulty
