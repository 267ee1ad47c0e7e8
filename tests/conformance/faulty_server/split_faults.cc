// Faults for the cas.split.* checks (SplitBlob / SpliceBlob, cas.md section 5) and the
// capabilities that describe them (CAP-19, CAP-20), made over the reference's real
// implementation: its answers rewritten, or the CAS changed the way a buggy handler would
// have left it (chunks not stored, a blob stored under a digest nobody verified).

#include <optional>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "reapi/digest.h"
#include "server/cas.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;
using reference::BlobKey;
using reference::Cas;
using reference::Storage;
using Split = CallRewriter<v2::SplitBlobRequest, v2::SplitBlobResponse>;
using Splice = CallRewriter<v2::SpliceBlobRequest, v2::SpliceBlobResponse>;
using Capabilities = CallRewriter<v2::GetCapabilitiesRequest, v2::ServerCapabilities>;

// The hashable function a request means for a digest: its digest_function, else the one
// the hash length implies; nullopt when there is none (the fault then leaves it alone).
std::optional<reapi::DigestFunction> function_for(int requested, const reapi::Digest& digest) {
  std::optional<reapi::DigestFunction> fn =
      requested != 0
          ? reapi::digest_function_from_number(requested)
          : reapi::infer_from_hex_length(digest.hash.size(), reapi::hashable_functions());
  if (!fn || !reapi::is_hashable(*fn) || !reapi::validate_digest(*fn, digest).ok()) return {};
  return fn;
}

// The concatenation of the chunks, or nullopt if one is not stored.
std::optional<std::string> concatenate(
    Cas& cas, reapi::DigestFunction fn,
    const google::protobuf::RepeatedPtrField<v2::Digest>& chunks) {
  std::string out;
  for (const v2::Digest& chunk : chunks) {
    auto data = cas.read(fn, reapi::from_proto(chunk));
    if (!data.ok()) return std::nullopt;
    out += *data;
  }
  return out;
}

// The server's storage, for the faults whose bug is in what the handler stores. Set when
// the storage is opened; the server owns it and outlives every call.
struct StorageRef {
  Storage* storage = nullptr;
};

// Base of the interceptors that reach into the CAS.
template <class Request, class Response>
class WithCas : public CallRewriter<Request, Response> {
 public:
  explicit WithCas(Storage& storage) : storage_(storage), cas_(storage) {}

 protected:
  Storage& storage_;
  Cas cas_;
};

// A plan with a fresh T, given the storage, intercepting every `name` call.
template <class T>
FaultPlan intercept_with_storage(std::string_view name) {
  auto ref = std::make_shared<StorageRef>();
  FaultPlan plan;
  plan.wrap_storage = [ref](std::unique_ptr<Storage> storage) {
    ref->storage = storage.get();
    return storage;
  };
  plan.interceptor = [ref, name](grpc::experimental::ServerRpcInfo& info) {
    return is_method(info, name) ? std::make_unique<T>(*ref->storage) : nullptr;
  };
  return plan;
}

// --- SplitBlob ---

// The chunking loop emits a chunk when it finds a boundary and forgets the tail after the
// last one: the list ends one chunk short (a blob of one chunk gets an empty list).
class DropsLastChunk final : public Split {
  bool on_response(v2::SplitBlobResponse& response) override {
    if (response.chunk_digests().empty()) return false;
    response.mutable_chunk_digests()->RemoveLast();
    return true;
  }
};

// Lists the chunks it computed without storing them (as if the client had them all).
class ChunksNotStored final : public WithCas<v2::SplitBlobRequest, v2::SplitBlobResponse> {
 public:
  using WithCas::WithCas;

 private:
  void on_request(v2::SplitBlobRequest& request) override {
    blob_ = reapi::from_proto(request.blob_digest());
    fn_ = function_for(request.digest_function(), blob_);
  }
  bool on_response(v2::SplitBlobResponse& response) override {
    if (!fn_) return false;
    for (const v2::Digest& chunk : response.chunk_digests()) {
      const reapi::Digest digest = reapi::from_proto(chunk);
      if (digest != blob_) (void)storage_.remove(BlobKey::cas(*fn_, digest));
    }
    return false;
  }
  reapi::Digest blob_;
  std::optional<reapi::DigestFunction> fn_;
};

// With digest_function unset the blob is found by its hash length, but the chunks are
// hashed (and stored) with the server's old default, SHA-1.
class ChunksHashedWithDefault final : public WithCas<v2::SplitBlobRequest, v2::SplitBlobResponse> {
 public:
  using WithCas::WithCas;

 private:
  void on_request(v2::SplitBlobRequest& request) override {
    if (request.digest_function() != 0) return;
    fn_ = function_for(0, reapi::from_proto(request.blob_digest()));
  }
  bool on_response(v2::SplitBlobResponse& response) override {
    constexpr auto kDefault = reapi::DigestFunction::sha1;
    if (!fn_ || *fn_ == kDefault) return false;
    for (v2::Digest& chunk : *response.mutable_chunk_digests()) {
      auto data = cas_.read(*fn_, reapi::from_proto(chunk));
      if (!data.ok()) continue;
      const reapi::Digest rehashed = reapi::digest_of(kDefault, *data);
      (void)cas_.write(kDefault, rehashed, *data);
      chunk = reapi::to_proto(rehashed);
    }
    return true;
  }
  std::optional<reapi::DigestFunction> fn_;
};

// A blob that is not stored is reported as a failed precondition, the code Execute uses for
// missing inputs, instead of NOT_FOUND.
class AbsentAsFailedPrecondition final : public Split {
  bool on_status(grpc::Status& status) override {
    if (status.error_code() != grpc::StatusCode::NOT_FOUND) return false;
    status = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "blob_digest is not in the CAS");
    return true;
  }
};

// Answers with the chunking function the client asked for, not the one it used.
class EchoesChunkingFunction final : public Split {
  void on_request(v2::SplitBlobRequest& request) override { asked_ = request.chunking_function(); }
  bool on_response(v2::SplitBlobResponse& response) override {
    response.set_chunking_function(asked_);
    return true;
  }
  v2::ChunkingFunction::Value asked_ = v2::ChunkingFunction::UNKNOWN;
};

// --- SpliceBlob ---

// Leaves blob_digest out of its response.
class SpliceDigestLeftOut final : public Splice {
  bool on_response(v2::SpliceBlobResponse& response) override {
    response.clear_blob_digest();
    return true;
  }
};

// Verifies the chunks and answers OK, but never stores the blob they make up.
class SplicedBlobNotStored final : public WithCas<v2::SpliceBlobRequest, v2::SpliceBlobResponse> {
 public:
  using WithCas::WithCas;

 private:
  void on_request(v2::SpliceBlobRequest& request) override {
    blob_ = reapi::from_proto(request.blob_digest());
    fn_ = function_for(request.digest_function(), blob_);
    if (fn_ && cas_.contains(*fn_, blob_)) fn_.reset();  // stored before: leave it
  }
  bool on_response(v2::SpliceBlobResponse&) override {
    if (fn_) (void)storage_.remove(BlobKey::cas(*fn_, blob_));
    return false;
  }
  reapi::Digest blob_;
  std::optional<reapi::DigestFunction> fn_;
};

// Stores the concatenation under the client's blob_digest without hashing it; the handler
// then finds the blob "already stored" and answers OK.
class TrustsClientDigest final : public WithCas<v2::SpliceBlobRequest, v2::SpliceBlobResponse> {
 public:
  using WithCas::WithCas;

 private:
  void on_request(v2::SpliceBlobRequest& request) override {
    if (!request.has_blob_digest()) return;
    const reapi::Digest blob = reapi::from_proto(request.blob_digest());
    const auto fn = function_for(request.digest_function(), blob);
    if (!fn || cas_.contains(*fn, blob)) return;
    const auto data = concatenate(cas_, *fn, request.chunk_digests());
    if (!data) return;  // a chunk is missing: the handler says NOT_FOUND, as it should
    (void)reference::write_blob(storage_, BlobKey::cas(*fn, blob), *data);
  }
};

// A missing chunk is skipped; the shorter concatenation then fails the digest check.
class MissingChunkAsMismatch final : public Splice {
  bool on_status(grpc::Status& status) override {
    if (status.error_code() != grpc::StatusCode::NOT_FOUND) return false;
    status =
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the chunks do not make up blob_digest");
    return true;
  }
};

// Refuses to store a blob that is already there: its storage creates keys exclusively and
// the clash comes back as FAILED_PRECONDITION.
class ExistingBlobRefused final : public WithCas<v2::SpliceBlobRequest, v2::SpliceBlobResponse> {
 public:
  using WithCas::WithCas;

 private:
  void on_request(v2::SpliceBlobRequest& request) override {
    const reapi::Digest blob = reapi::from_proto(request.blob_digest());
    const auto fn = function_for(request.digest_function(), blob);
    existed_ = request.has_blob_digest() && fn && cas_.contains(*fn, blob);
  }
  bool on_status(grpc::Status& status) override {
    if (!existed_ || !status.ok()) return false;
    status = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the blob exists already");
    return true;
  }
  bool existed_ = false;
};

// Without blob_digest, splices anyway under the digest of whatever the chunks make up.
class InfersMissingDigest final : public WithCas<v2::SpliceBlobRequest, v2::SpliceBlobResponse> {
 public:
  using WithCas::WithCas;

 private:
  void on_request(v2::SpliceBlobRequest& request) override {
    if (request.has_blob_digest() || request.chunk_digests().empty()) return;
    const auto fn =
        function_for(request.digest_function(), reapi::from_proto(request.chunk_digests(0)));
    if (!fn) return;
    const auto data = concatenate(cas_, *fn, request.chunk_digests());
    if (data) *request.mutable_blob_digest() = reapi::to_proto(reapi::digest_of(*fn, *data));
  }
};

// --- Capabilities ---

// The capabilities are filled before the CAS handlers are wired: both flags stay false
// while SplitBlob and SpliceBlob work.
class FlagsLeftFalse final : public Capabilities {
  bool on_response(v2::ServerCapabilities& capabilities) override {
    capabilities.mutable_cache_capabilities()->set_split_blob_support(false);
    capabilities.mutable_cache_capabilities()->set_splice_blob_support(false);
    return true;
  }
};

// Switched off, SplitBlob/SpliceBlob say "disabled" with FAILED_PRECONDITION, not
// UNIMPLEMENTED (the interceptor stands in for the switch: capabilities say off, calls fail).
template <class Request, class Response>
class DisabledAsFailedPrecondition final : public CallRewriter<Request, Response> {
  bool on_status(grpc::Status& status) override {
    status = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "blob splitting is disabled on this server");
    return true;
  }
};

FaultPlan split_splice_disabled_wrong_code() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kGetCapabilities)) return std::make_unique<FlagsLeftFalse>();
    if (is_method(info, method::kSplitBlob))
      return std::make_unique<
          DisabledAsFailedPrecondition<v2::SplitBlobRequest, v2::SplitBlobResponse>>();
    if (is_method(info, method::kSpliceBlob))
      return std::make_unique<
          DisabledAsFailedPrecondition<v2::SpliceBlobRequest, v2::SpliceBlobResponse>>();
    return nullptr;
  };
  return plan;
}

// The average chunk size advertised in KiB (512) where bytes are meant.
class ChunkSizeInKiB final : public Capabilities {
  bool on_response(v2::ServerCapabilities& capabilities) override {
    auto* params = capabilities.mutable_cache_capabilities()->mutable_fast_cdc_2020_params();
    params->set_avg_chunk_size_bytes(params->avg_chunk_size_bytes() / 1024);
    return true;
  }
};

}  // namespace

std::vector<FaultEntry> split_faults() {
  const std::string split = "cas.split.*";
  return {
      {.name = "split-drops-last-chunk",
       .description = "SplitBlob leaves the last chunk (the tail after the last cut) out of its "
                      "list",
       .make = [] { return intercept<DropsLastChunk>(method::kSplitBlob); },
       .expect = {.filter = split, .fails = {"cas.split.chunks_reassemble"}}},
      {.name = "split-chunks-not-stored",
       .description = "SplitBlob lists the chunks it computed but stores none of them",
       .make = [] { return intercept_with_storage<ChunksNotStored>(method::kSplitBlob); },
       .expect = {.filter = split, .fails = {"cas.split.chunks_reassemble"}}},
      {.name = "split-chunks-default-function",
       .description = "SplitBlob without digest_function hashes the chunks with SHA-1 (its old "
                      "default), not the function of the blob's hash length",
       .make = [] { return intercept_with_storage<ChunksHashedWithDefault>(method::kSplitBlob); },
       .expect = {.filter = split, .fails = {"cas.split.chunk_digests_use_request_function"}}},
      {.name = "split-absent-failed-precondition",
       .description = "SplitBlob of a blob that is not stored answers FAILED_PRECONDITION, not "
                      "NOT_FOUND",
       .make = [] { return intercept<AbsentAsFailedPrecondition>(method::kSplitBlob); },
       .expect = {.filter = split, .fails = {"cas.split.absent_blob_not_found"}}},
      {.name = "split-echoes-chunking-function",
       .description = "SplitBlob answers with the chunking_function asked for, not the one it "
                      "used (FastCDC)",
       .make = [] { return intercept<EchoesChunkingFunction>(method::kSplitBlob); },
       .expect = {.filter = split, .fails = {"cas.split.chunking_function_reported"}}},
      {.name = "splice-digest-left-out",
       .description = "SpliceBlob answers OK with no blob_digest in its response",
       .make = [] { return intercept<SpliceDigestLeftOut>(method::kSpliceBlob); },
       .expect = {.filter = split, .fails = {"cas.split.splice_creates_blob"}}},
      {.name = "splice-not-stored",
       .description = "SpliceBlob verifies the chunks and answers OK but never stores the blob",
       .make = [] { return intercept_with_storage<SplicedBlobNotStored>(method::kSpliceBlob); },
       .expect = {.filter = split, .fails = {"cas.split.splice_creates_blob"}}},
      {.name = "splice-trusts-client-digest",
       .description = "SpliceBlob stores the concatenated chunks under the client's "
                      "blob_digest without hashing them",
       .make = [] { return intercept_with_storage<TrustsClientDigest>(method::kSpliceBlob); },
       .expect = {.filter = split, .fails = {"cas.split.splice_verifies_digest"}}},
      {.name = "splice-missing-chunk-mismatch",
       .description = "SpliceBlob skips a chunk that is not stored and answers INVALID_ARGUMENT "
                      "(digest mismatch), not NOT_FOUND",
       .make = [] { return intercept<MissingChunkAsMismatch>(method::kSpliceBlob); },
       .expect = {.filter = split, .fails = {"cas.split.splice_missing_chunk_not_found"}}},
      {.name = "splice-existing-refused",
       .description = "SpliceBlob of a blob already stored fails with FAILED_PRECONDITION "
                      "(exclusive create)",
       .make = [] { return intercept_with_storage<ExistingBlobRefused>(method::kSpliceBlob); },
       .expect = {.filter = split, .fails = {"cas.split.splice_existing_blob"}}},
      {.name = "splice-infers-missing-digest",
       .description = "SpliceBlob without blob_digest splices anyway, under the digest of the "
                      "concatenated chunks",
       .make = [] { return intercept_with_storage<InfersMissingDigest>(method::kSpliceBlob); },
       .expect = {.filter = split,
                  .warns = {"cas.split.splice_requires_blob_digest"},
                  .extra_args = {"--strict"}}},
      {.name = "split-splice-unadvertised",
       .description = "SplitBlob and SpliceBlob work, but GetCapabilities leaves "
                      "split_blob_support and splice_blob_support false",
       .make = [] { return intercept<FlagsLeftFalse>(method::kGetCapabilities); },
       .expect = {.filter = "capabilities.*," + split,
                  .fails = {"capabilities.split_splice_flags_truthful",
                            "cas.split.advertise_or_refuse"}}},
      {.name = "split-splice-disabled-wrong-code",
       .description = "with SplitBlob/SpliceBlob switched off (not advertised) the calls answer "
                      "FAILED_PRECONDITION, not UNIMPLEMENTED",
       .make = split_splice_disabled_wrong_code,
       .expect = {.filter = split,
                  .warns = {"cas.split.advertise_or_refuse"},
                  .extra_args = {"--strict"}}},
      {.name = "chunking-params-in-kib",
       .description = "GetCapabilities gives fast_cdc_2020_params.avg_chunk_size_bytes in KiB "
                      "(512), not bytes",
       .make = [] { return intercept<ChunkSizeInKiB>(method::kGetCapabilities); },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.chunking_params_in_range"}}},
  };
}

}  // namespace faulty
