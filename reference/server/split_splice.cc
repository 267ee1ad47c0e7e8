#include "server/split_splice.h"

#include <algorithm>
#include <vector>

namespace reference {
namespace v2 = build::bazel::remote::execution::v2;

namespace {

// Bytes read from storage at a time while splicing.
constexpr std::int64_t kReadPiece = 1 << 20;

FastCdc2020 chunker_for(const ServerConfig& config) {
  auto chunker = FastCdc2020::for_reapi(static_cast<std::uint64_t>(config.fast_cdc_avg_chunk_size),
                                        config.fast_cdc_seed);
  return *std::move(chunker);  // Policy::create accepted these parameters
}

}  // namespace

SplitSplice::SplitSplice(const Policy& policy, Cas& cas)
    : policy_(policy), cas_(cas), chunker_(chunker_for(policy.config())) {}

absl::Status SplitSplice::check_served(std::string_view method, const std::string& instance) const {
  if (!policy_.split_splice_enabled()) {
    return absl::UnimplementedError(std::string(method) +
                                    " is not served here (split_blob_support and "
                                    "splice_blob_support are false)");
  }
  return policy_.check_instance(instance);
}

absl::StatusOr<reapi::Digest> SplitSplice::store_chunk(reapi::DigestFunction fn,
                                                       std::string_view chunk) {
  reapi::Digest digest = reapi::digest_of(fn, chunk);
  if (!cas_.contains(fn, digest)) {
    if (auto s = cas_.write(fn, digest, chunk); !s.ok()) return s;
  }
  return digest;
}

absl::Status SplitSplice::split(const v2::SplitBlobRequest& request,
                                v2::SplitBlobResponse& response) {
  if (auto s = check_served("SplitBlob", request.instance_name()); !s.ok()) return s;
  const reapi::Digest blob = reapi::from_proto(request.blob_digest());
  // Chunks are hashed with the request's function, explicit or inferred (CAS-SPLIT-03).
  auto fn = policy_.resolve(request.digest_function(), blob);
  if (!fn.ok()) return fn.status();
  auto reader = cas_.open(*fn, blob);  // NOT_FOUND when absent (CAS-SPLIT-04)
  if (!reader.ok()) return reader.status();

  // A window of up to max_size() bytes from the current chunk's start is all the chunker
  // needs; the cut chunk is stored and dropped, and the window refilled.
  const std::int64_t size = (*reader)->size();
  std::int64_t read_at = 0;
  std::string window;
  while (read_at < size || !window.empty()) {
    while (window.size() < chunker_.max_size() && read_at < size) {
      const std::size_t before = window.size();
      const auto want = static_cast<std::size_t>(std::min<std::int64_t>(
          static_cast<std::int64_t>(chunker_.max_size() - before), size - read_at));
      if (auto s = (*reader)->read(read_at, want, window); !s.ok()) return s;
      if (window.size() == before) {
        return absl::InternalError("blob " + blob.to_string() + " ended early in storage");
      }
      read_at += static_cast<std::int64_t>(window.size() - before);
    }
    const std::size_t length = chunker_.cut(window);
    auto chunk = store_chunk(*fn, std::string_view(window).substr(0, length));
    if (!chunk.ok()) return chunk.status();
    *response.add_chunk_digests() = reapi::to_proto(*chunk);
    window.erase(0, length);
  }
  // The request's chunking_function is only a preference; the answer names the one used
  // (CAS-SPLIT-05), always FastCDC 2020 here.
  response.set_chunking_function(v2::ChunkingFunction::FAST_CDC_2020);
  return absl::OkStatus();
}

absl::Status SplitSplice::splice(const v2::SpliceBlobRequest& request,
                                 v2::SpliceBlobResponse& response) {
  if (auto s = check_served("SpliceBlob", request.instance_name()); !s.ok()) return s;
  if (!request.has_blob_digest()) {  // CAS-SPLIT-10
    return absl::InvalidArgumentError(
        "SpliceBlob needs blob_digest, the digest of the blob the chunks make up");
  }
  const reapi::Digest blob = reapi::from_proto(request.blob_digest());
  // One function for the blob and every chunk (SpliceBlobRequest.digest_function).
  auto fn = policy_.resolve(request.digest_function(), blob);
  if (!fn.ok()) return fn.status();
  if (auto s = policy_.check_blob_size(blob); !s.ok()) return s;
  std::vector<reapi::Digest> chunks;
  std::int64_t total = 0;  // of the chunks' sizes, up to the blob's
  bool over = false;       // they add up to more than the blob's size
  for (int i = 0; i < request.chunk_digests_size(); ++i) {
    chunks.push_back(reapi::from_proto(request.chunk_digests(i)));
    if (auto s = reapi::validate_digest(*fn, chunks.back()); !s.ok()) {
      return absl::InvalidArgumentError("chunk_digests[" + std::to_string(i) +
                                        "]: " + std::string(s.message()));
    }
    over |= chunks.back().size_bytes > blob.size_bytes - total;
    if (!over) total += chunks.back().size_bytes;
  }
  // Every chunk must be stored (CAS-SPLIT-07); the lookups also extend their lifetimes.
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (!cas_.contains(*fn, chunks[i])) {
      return absl::NotFoundError("chunk " + chunks[i].to_string() + " (chunk_digests[" +
                                 std::to_string(i) + "]) is not in the CAS");
    }
  }
  // Already stored: the call is a no-op, which SpliceBlob allows (CAS-SPLIT-09).
  if (cas_.contains(*fn, blob)) {
    *response.mutable_blob_digest() = request.blob_digest();
    return absl::OkStatus();
  }
  if (over || total != blob.size_bytes) {  // CAS-SPLIT-08, before reading anything
    return absl::InvalidArgumentError(
        "the chunks add up to " +
        (over ? "more than the " + std::to_string(blob.size_bytes) + " bytes of"
              : std::to_string(total) + " bytes, not the " + std::to_string(blob.size_bytes) +
                    " of") +
        " blob_digest " + blob.to_string());
  }
  // The concatenation is hashed as it is written and committed only if it matches.
  auto upload = cas_.begin_upload(*fn, blob);  // RESOURCE_EXHAUSTED without room (CAS-SPLIT-11)
  if (!upload.ok()) return upload.status();
  for (const reapi::Digest& chunk : chunks) {
    auto reader = cas_.open(*fn, chunk);  // NOT_FOUND if evicted since the lookup
    if (!reader.ok()) return reader.status();
    for (std::int64_t at = 0; at < (*reader)->size(); at += kReadPiece) {
      std::string piece;
      const auto length = static_cast<std::size_t>(std::min(kReadPiece, (*reader)->size() - at));
      if (auto s = (*reader)->read(at, length, piece); !s.ok()) return s;
      if (auto s = (*upload)->append(piece); !s.ok()) return s;
    }
  }
  if (auto s = (*upload)->commit(); !s.ok()) {
    if (!absl::IsInvalidArgument(s)) return s;
    return absl::InvalidArgumentError("the chunks do not make up blob_digest " + blob.to_string() +
                                      ": " + std::string(s.message()));
  }
  *response.mutable_blob_digest() = request.blob_digest();
  return absl::OkStatus();
}

}  // namespace reference
