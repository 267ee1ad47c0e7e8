// ContentAddressableStorage faults of FindMissingBlobs, BatchUpdateBlobs and BatchReadBlobs
// (and GetTree where one bug spans methods): each rewrites the requests, responses or
// statuses of the calls it touches, so the reference service itself stays unchanged.

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "digest_facts.h"
#include "fault_plan.h"
#include "reapi/compression.h"
#include "reapi/digest.h"
#include "server/server_config.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;

// --- BatchUpdateBlobs: entries stored under a digest other than the one claimed ---

// Entries a fault handed to the service under the digest of their actual data: the
// responses show the client its claimed digest back, so the bad upload looks accepted.
class DigestSwaps {
 public:
  void add(reapi::Digest actual, reapi::Digest claimed) {
    swaps_.push_back({std::move(actual), std::move(claimed)});
  }
  bool restore(v2::BatchUpdateBlobsResponse& response) {
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

 private:
  struct Swap {
    reapi::Digest actual;
    reapi::Digest claimed;
    bool restored = false;
  };
  std::vector<Swap> swaps_;
};

// Stores each entry under the hash of its data instead of refusing a mismatch.
class NoHashVerification final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  void on_request(v2::BatchUpdateBlobsRequest& request) override {
    for (auto& entry : *request.mutable_requests()) {
      if (entry.compressor() != v2::Compressor::IDENTITY) continue;
      // Only well-formed digests with the wrong content: malformed ones still fail.
      auto fn = well_formed(request.digest_function(), entry.digest());
      if (!fn) continue;
      const reapi::Digest claimed = reapi::from_proto(entry.digest());
      const reapi::Digest actual = reapi::digest_of(*fn, entry.data());
      if (actual == claimed) continue;
      *entry.mutable_digest() = reapi::to_proto(actual);
      swaps_.add(actual, claimed);
    }
  }
  bool on_response(v2::BatchUpdateBlobsResponse& response) override {
    return swaps_.restore(response);
  }

  DigestSwaps swaps_;
};

// Trusts zstd entries: stores whatever they decode to without checking it against the
// digest. Its streaming decoder stops where the input does, so a frame cut short decodes
// to a prefix instead of failing; bytes that are no zstd at all still fail.
class CompressedUnverified final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  void on_request(v2::BatchUpdateBlobsRequest& request) override {
    for (auto& entry : *request.mutable_requests()) {
      if (entry.compressor() != v2::Compressor::ZSTD) continue;
      auto fn = well_formed(request.digest_function(), entry.digest());
      if (!fn) continue;
      reapi::ZstdDecompressor decoder;
      std::string plain;
      if (!decoder.decompress(entry.data(), plain, entry.digest().size_bytes()).ok()) continue;
      const reapi::Digest claimed = reapi::from_proto(entry.digest());
      const reapi::Digest actual = reapi::digest_of(*fn, plain);
      if (actual == claimed) continue;
      entry.set_compressor(v2::Compressor::IDENTITY);
      entry.set_data(std::move(plain));
      *entry.mutable_digest() = reapi::to_proto(actual);
      swaps_.add(actual, claimed);
    }
  }
  bool on_response(v2::BatchUpdateBlobsResponse& response) override {
    return swaps_.restore(response);
  }

  DigestSwaps swaps_;
};

// --- BatchUpdateBlobs: other bugs ---

// One bad entry fails the whole batch: every other entry reports ABORTED.
class AllOrNothing final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  bool on_response(v2::BatchUpdateBlobsResponse& response) override {
    const auto& entries = response.responses();
    auto bad = std::find_if(entries.begin(), entries.end(),
                            [](const auto& e) { return e.status().code() != 0; });
    if (bad == entries.end()) return false;
    const std::string why = "batch aborted: entry " + reapi::from_proto(bad->digest()).to_string() +
                            " failed (" + bad->status().message() + ")";
    for (auto& entry : *response.mutable_responses()) {
      if (entry.status().code() != 0) continue;
      entry.mutable_status()->set_code(grpc::StatusCode::ABORTED);
      entry.mutable_status()->set_message(why);
    }
    return true;
  }
};

// Enforces a batch limit 64 KiB below the max_batch_total_size_bytes it advertises.
class LowerBatchLimit final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  // The faulty server runs with the reference's default limit.
  const std::int64_t enforced_ = reference::ServerConfig{}.max_batch_total_size_bytes - (64 << 10);

  void on_request(v2::BatchUpdateBlobsRequest& request) override {
    std::int64_t total = 0;
    for (const auto& entry : request.requests()) {
      const std::int64_t size = std::max<std::int64_t>(0, entry.digest().size_bytes());
      total = size > INT64_MAX - total ? INT64_MAX : total + size;  // no overflow on junk sizes
    }
    if (total <= enforced_) return;
    total_ = total;
    request.clear_requests();  // refused before anything is stored
  }
  bool on_status(grpc::Status& status) override {
    if (total_ == 0) return false;
    status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "the blobs add up to " + std::to_string(total_) +
                              " bytes, over the limit of " + std::to_string(enforced_));
    return true;
  }

  std::int64_t total_ = 0;
};

// Takes every entry as uncompressed, whatever its compressor says.
class CompressorIgnored final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  void on_request(v2::BatchUpdateBlobsRequest& request) override {
    for (auto& entry : *request.mutable_requests()) entry.set_compressor(v2::Compressor::IDENTITY);
  }
};

// Only zstd is checked against what it supports; any other compressor falls through to
// the uncompressed path.
class UnknownCompressorAsIdentity final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  void on_request(v2::BatchUpdateBlobsRequest& request) override {
    for (auto& entry : *request.mutable_requests()) {
      if (entry.compressor() != v2::Compressor::ZSTD)
        entry.set_compressor(v2::Compressor::IDENTITY);
    }
  }
};

// --- FindMissingBlobs ---

// Looks up each distinct digest once and counts the rows against every occurrence: a
// stored digest asked k times gets one row, so k - 1 occurrences seem absent.
class RepeatedDigestMissing final
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
  void on_request(v2::FindMissingBlobsRequest& request) override {
    std::map<std::pair<std::string, std::int64_t>, int> times;
    for (const auto& d : request.blob_digests()) {
      if (++times[{d.hash(), d.size_bytes()}] == 2) repeated_.push_back({d, 0});
    }
    for (auto& [digest, count] : repeated_) count = times[{digest.hash(), digest.size_bytes()}];
  }
  bool on_response(v2::FindMissingBlobsResponse& response) override {
    bool changed = false;
    for (const auto& [digest, count] : repeated_) {
      const auto& missing = response.missing_blob_digests();
      if (std::any_of(missing.begin(), missing.end(),
                      [&](const v2::Digest& d) { return same(d, digest); }))
        continue;  // absent: already listed for every occurrence
      for (int i = 1; i < count; ++i) *response.add_missing_blob_digests() = digest;
      changed = true;
    }
    return changed;
  }

  std::vector<std::pair<v2::Digest, int>> repeated_;
};

// --- every batch method: a response buffer that is not cleared between calls ---

// The last response of one method, shared by its calls.
template <class Response>
class LastResponse {
 public:
  Response exchange(const Response& now) {
    std::lock_guard lock(mu_);
    Response previous = std::move(last_);
    last_ = now;
    return previous;
  }

 private:
  std::mutex mu_;
  Response last_;
};

// Each response also carries the entries of the call before it. The three batch
// responses hold nothing but their repeated entries, so MergeFrom appends exactly those.
template <class Request, class Response>
class StaleEntries final : public CallRewriter<Request, Response> {
 public:
  explicit StaleEntries(std::shared_ptr<LastResponse<Response>> last) : last_(std::move(last)) {}

 private:
  bool on_response(Response& response) override {
    const Response previous = last_->exchange(response);
    if (previous.ByteSizeLong() == 0) return false;
    response.MergeFrom(previous);
    return true;
  }

  std::shared_ptr<LastResponse<Response>> last_;
};

FaultPlan stale_batch_responses() {
  auto missing = std::make_shared<LastResponse<v2::FindMissingBlobsResponse>>();
  auto updated = std::make_shared<LastResponse<v2::BatchUpdateBlobsResponse>>();
  auto read = std::make_shared<LastResponse<v2::BatchReadBlobsResponse>>();
  FaultPlan plan;
  plan.interceptor = [=](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kFindMissingBlobs)) {
      return std::make_unique<
          StaleEntries<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse>>(missing);
    }
    if (is_method(info, method::kBatchUpdateBlobs)) {
      return std::make_unique<
          StaleEntries<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse>>(updated);
    }
    if (is_method(info, method::kBatchReadBlobs)) {
      return std::make_unique<StaleEntries<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse>>(
          read);
    }
    return nullptr;
  };
  return plan;
}

// --- GetCapabilities vs the batch handlers ---

// Advertises a smaller batch limit than the handlers enforce, so batches over the
// advertised limit are served anyway.
class AdvertiseSmallerBatchLimit final
    : public CallRewriter<v2::GetCapabilitiesRequest, v2::ServerCapabilities> {
  bool on_response(v2::ServerCapabilities& capabilities) override {
    capabilities.mutable_cache_capabilities()->set_max_batch_total_size_bytes(1 << 20);
    return true;
  }
};

// --- BatchReadBlobs ---

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

// Serves blobs in their stored zstd form, whether or not the client accepts zstd.
class AlwaysZstd final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    bool changed = false;
    for (auto& entry : *response.mutable_responses()) {
      if (entry.status().code() != 0 || entry.data().empty() ||
          entry.compressor() != v2::Compressor::IDENTITY)
        continue;
      entry.set_data(reapi::zstd_compress(entry.data()));
      entry.set_compressor(v2::Compressor::ZSTD);
      changed = true;
    }
    return changed;
  }
};

// Validates acceptable_compressors against what it supports and refuses the call.
class UnsupportedAcceptableRefused final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  void on_request(v2::BatchReadBlobsRequest& request) override {
    for (int c : request.acceptable_compressors()) {
      if (c == v2::Compressor::IDENTITY || c == v2::Compressor::ZSTD) continue;
      refused_ = v2::Compressor::Value_Name(static_cast<v2::Compressor::Value>(c));
      request.clear_digests();
      return;
    }
  }
  bool on_status(grpc::Status& status) override {
    if (refused_.empty()) return false;
    status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "acceptable compressor " + refused_ + " is not supported");
    return true;
  }

  std::string refused_;
};

// Moves each blob's bytes into the first entry that asks for it: a digest asked again in
// the same call comes back OK with no data.
class RepeatedReadEmpty final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    bool changed = false;
    std::vector<v2::Digest> served;
    for (auto& entry : *response.mutable_responses()) {
      if (entry.status().code() != 0 || entry.data().empty()) continue;
      if (std::none_of(served.begin(), served.end(),
                       [&](const v2::Digest& d) { return same(d, entry.digest()); })) {
        served.push_back(entry.digest());
        continue;
      }
      entry.clear_data();
      changed = true;
    }
    return changed;
  }
};

// --- the empty blob not special-cased by BatchReadBlobs and GetTree ---

// --- GetTree ---

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
  const std::vector<std::string> strict = {"--strict"};
  return {
      {.name = "no-hash-verification",
       .description = "BatchUpdateBlobs accepts entries whose data does not match the digest",
       .make = [] { return intercept<NoHashVerification>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "cas.batch_update.*",
                  .fails = {"cas.batch_update.rejects_data_mismatch"}}},
      {.name = "batch-read-corrupt",
       .description = "BatchReadBlobs flips a bit of every non-empty blob",
       .make = [] { return intercept<BatchReadCorrupt>(method::kBatchReadBlobs); },
       .expect = {.filter = "cas.batch_read.*", .fails = {"cas.batch_read.returns_exact_bytes"}}},
      {.name = "repeat-page",
       .description = "GetTree answers a page token with that same token as the next",
       .make = [] { return intercept<RepeatPage>(method::kGetTree); },
       .expect = {.filter = "cas.get_tree.*", .fails = {"cas.get_tree.pagination_terminates"}}},
      // CAS-FMB-06 is a SHOULD rule: a warning, which --strict turns into a failed run.
      {.name = "repeated-digest-missing",
       .description = "FindMissingBlobs lists a stored digest missing when it is asked twice",
       .make = [] { return intercept<RepeatedDigestMissing>(method::kFindMissingBlobs); },
       .expect = {.filter = "cas.find_missing.*",
                  .warns = {"cas.find_missing.duplicates_consistent"},
                  .extra_args = strict}},
      {.name = "stale-batch-responses",
       .description = "batch responses also carry the entries of the previous call (a response "
                      "buffer never cleared)",
       .make = stale_batch_responses,
       .expect = {.filter = "cas.find_missing.*,cas.batch_update.*,cas.batch_read.*",
                  .fails = {"cas.find_missing.returns_only_requested"},
                  .warns = {"cas.batch_update.one_response_per_entry",
                            "cas.batch_read.one_response_per_digest"}}},
      {.name = "batch-all-or-nothing",
       .description = "BatchUpdateBlobs fails every entry of a call when one entry is bad",
       .make = [] { return intercept<AllOrNothing>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "cas.batch_update.*",
                  .fails = {"cas.batch_update.independent_results"}}},
      {.name = "batch-limit-not-enforced",
       .description = "batch calls over the advertised max_batch_total_size_bytes (1 MiB) are "
                      "served: the handlers only enforce about 4 MiB",
       .make = [] { return intercept<AdvertiseSmallerBatchLimit>(method::kGetCapabilities); },
       .expect = {.filter = "cas.batch_update.*,cas.batch_read.*",
                  .fails = {"cas.batch_update.over_limit_rejected",
                            "cas.batch_read.over_limit_rejected"}}},
      {.name = "batch-limit-below-advertised",
       .description = "BatchUpdateBlobs refuses batches within 64 KiB of the "
                      "max_batch_total_size_bytes it advertises",
       .make = [] { return intercept<LowerBatchLimit>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "cas.batch_update.*", .fails = {"cas.batch_update.at_limit_accepted"}}},
      {.name = "batch-compressor-ignored",
       .description = "BatchUpdateBlobs ignores each entry's compressor: zstd data is verified "
                      "as if it were the blob",
       .make = [] { return intercept<CompressorIgnored>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "cas.batch_update.*,capabilities.batch_compressors_usable",
                  .fails = {"cas.batch_update.compressed_entries",
                            "capabilities.batch_compressors_usable"}}},
      {.name = "compressed-entries-unverified",
       .description = "BatchUpdateBlobs stores what a zstd entry decodes to (a cut-short frame "
                      "too) without checking it against the digest",
       .make = [] { return intercept<CompressedUnverified>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "cas.batch_update.*",
                  .fails = {"cas.batch_update.rejects_bad_compressed_entry"}}},
      {.name = "unknown-compressor-as-identity",
       .description = "BatchUpdateBlobs takes an entry with a compressor it does not support as "
                      "uncompressed data",
       .make = [] { return intercept<UnknownCompressorAsIdentity>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "cas.batch_update.*",
                  .warns = {"cas.batch_update.rejects_unadvertised_compressor"},
                  .extra_args = strict}},
      {.name = "batch-read-always-zstd",
       .description = "BatchReadBlobs sends every blob zstd-compressed, whatever "
                      "acceptable_compressors says",
       .make = [] { return intercept<AlwaysZstd>(method::kBatchReadBlobs); },
       .expect = {.filter = "cas.batch_read.*", .fails = {"cas.batch_read.compressed_responses"}}},
      {.name = "unsupported-acceptable-refused",
       .description = "BatchReadBlobs refuses a call whose acceptable_compressors lists one it "
                      "does not support",
       .make = [] { return intercept<UnsupportedAcceptableRefused>(method::kBatchReadBlobs); },
       .expect = {.filter = "cas.batch_read.*",
                  .warns = {"cas.batch_read.unknown_acceptable_compressor_harmless"},
                  .extra_args = strict}},
      {.name = "repeated-read-empty",
       .description = "BatchReadBlobs answers a digest asked twice with no data the second time "
                      "(the bytes were moved into the first entry)",
       .make = [] { return intercept<RepeatedReadEmpty>(method::kBatchReadBlobs); },
       .expect = {.filter = "cas.batch_read.*",
                  .warns = {"cas.batch_read.duplicates"},
                  .extra_args = strict}},
  };
}

}  // namespace faulty
