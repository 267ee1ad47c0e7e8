// ContentAddressableStorage faults: a BatchUpdateBlobs that does not verify hashes, a
// FindMissingBlobs that forgets the empty blob, a BatchReadBlobs that corrupts data, and a
// GetTree whose page tokens never advance.

#include <algorithm>
#include <optional>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "reapi/digest.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;

// The hashable function a request means for a hash: its digest_function, else the one the
// hash length implies. nullopt when the fault cannot tell (the entry is left alone).
std::optional<reapi::DigestFunction> function_for(int requested, std::size_t hex_length) {
  if (requested != 0) {
    auto fn = reapi::digest_function_from_number(requested);
    if (fn && reapi::is_hashable(*fn)) return fn;
    return std::nullopt;
  }
  return reapi::infer_from_hex_length(hex_length, reapi::hashable_functions());
}

// Stores each entry under the hash of its data instead of refusing a mismatch, and shows
// the client its own digest back, so the bad upload looks accepted.
class NoHashVerification final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  struct Swap {
    reapi::Digest actual;
    reapi::Digest claimed;
    bool restored = false;
  };

  void on_request(v2::BatchUpdateBlobsRequest& request) override {
    for (auto& entry : *request.mutable_requests()) {
      if (entry.compressor() != v2::Compressor::IDENTITY) continue;
      const reapi::Digest claimed = reapi::from_proto(entry.digest());
      auto fn = function_for(request.digest_function(), claimed.hash.size());
      // Only well-formed digests with the wrong content: malformed ones still fail.
      if (!fn || !reapi::validate_digest(*fn, claimed).ok()) continue;
      const reapi::Digest actual = reapi::digest_of(*fn, entry.data());
      if (actual == claimed) continue;
      *entry.mutable_digest() = reapi::to_proto(actual);
      swaps_.push_back({actual, claimed});
    }
  }
  bool on_response(v2::BatchUpdateBlobsResponse& response) override {
    bool changed = false;
    for (auto& entry : *response.mutable_responses()) {
      const reapi::Digest seen = reapi::from_proto(entry.digest());
      auto swap = std::find_if(swaps_.begin(), swaps_.end(),
                               [&](const Swap& s) { return !s.restored && s.actual == seen; });
      if (swap == swaps_.end()) continue;
      swap->restored = true;
      *entry.mutable_digest() = reapi::to_proto(swap->claimed);
      changed = true;
    }
    return changed;
  }

  std::vector<Swap> swaps_;
};

// Reports the empty blob missing whenever it is asked about (COM-05 says it never is).
class EmptyBlobMissing final
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
  void on_request(v2::FindMissingBlobsRequest& request) override {
    for (const auto& proto : request.blob_digests()) {
      const reapi::Digest digest = reapi::from_proto(proto);
      if (digest.size_bytes != 0) continue;
      auto fn = function_for(request.digest_function(), digest.hash.size());
      if (fn && digest == reapi::empty_digest(*fn)) empties_.push_back(proto);
    }
  }
  bool on_response(v2::FindMissingBlobsResponse& response) override {
    for (const auto& empty : empties_) {
      const auto& missing = response.missing_blob_digests();
      const bool listed = std::any_of(missing.begin(), missing.end(), [&](const v2::Digest& d) {
        return d.hash() == empty.hash() && d.size_bytes() == empty.size_bytes();
      });
      if (!listed) *response.add_missing_blob_digests() = empty;
    }
    return !empties_.empty();
  }

  std::vector<v2::Digest> empties_;
};

// Flips one bit in the middle of every non-empty blob it returns.
class BatchReadCorrupt final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    bool changed = false;
    for (auto& entry : *response.mutable_responses()) {
      if (entry.status().code() != 0 || entry.data().empty()) continue;
      std::string& data = *entry.mutable_data();
      data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x01);
      changed = true;
    }
    return changed;
  }
};

// Answers a request that carries a page token with that same token as the next one, so a
// client following tokens never reaches the end.
class RepeatPage final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  void on_request(v2::GetTreeRequest& request) override { token_ = request.page_token(); }
  bool on_response(v2::GetTreeResponse& response) override {
    if (token_.empty()) return false;
    response.set_next_page_token(token_);
    return true;
  }

  std::string token_;
};

}  // namespace

std::vector<FaultEntry> cas_faults() {
  return {
      {.name = "no-hash-verification",
       .description = "BatchUpdateBlobs accepts entries whose data does not match the digest",
       .make = [] { return intercept<NoHashVerification>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "cas.batch_update.*",
                  .fails = {"cas.batch_update.rejects_data_mismatch"}}},
      {.name = "empty-blob-missing",
       .description = "FindMissingBlobs reports the empty blob missing",
       .make = [] { return intercept<EmptyBlobMissing>(method::kFindMissingBlobs); },
       .expect = {.filter = "cas.find_missing.*,common.*",
                  .fails = {"cas.find_missing.empty_blob_never_missing",
                            "common.empty_blob_always_present"}}},
      {.name = "batch-read-corrupt",
       .description = "BatchReadBlobs flips a bit of every non-empty blob",
       .make = [] { return intercept<BatchReadCorrupt>(method::kBatchReadBlobs); },
       .expect = {.filter = "cas.batch_read.*", .fails = {"cas.batch_read.returns_exact_bytes"}}},
      {.name = "repeat-page",
       .description = "GetTree answers a page token with that same token as the next",
       .make = [] { return intercept<RepeatPage>(method::kGetTree); },
       .expect = {.filter = "cas.get_tree.*", .fails = {"cas.get_tree.pagination_terminates"}}},
  };
}

}  // namespace faulty
