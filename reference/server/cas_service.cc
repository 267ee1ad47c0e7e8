#include "server/cas_service.h"

#include "reapi/compression.h"
#include "reapi/status.h"
#include "server/call_log.h"

namespace reference {
namespace v2 = build::bazel::remote::execution::v2;

namespace {

// Directories per GetTree message when the client sets no page_size, and the byte budget
// that keeps every message far below gRPC's default 4 MiB receive limit.
constexpr std::size_t kDefaultPageSize = 1000;
constexpr std::size_t kPageBytes = 1 << 20;

std::int64_t add_sizes(std::int64_t total, std::int64_t size) {
  if (size <= 0) return total;
  return total > INT64_MAX - size ? INT64_MAX : total + size;
}

}  // namespace

CasService::CasService(const Policy& policy, Cas& cas)
    : policy_(policy),
      cas_(cas),
      tree_cache_(static_cast<std::size_t>(policy.config().tree_cache_size),
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double, std::ratio<60>>(
                          policy.config().tree_cache_ttl_minutes))),
      split_splice_(policy, cas) {}

absl::Status CasService::check_batch_total(std::int64_t total, std::string_view what) const {
  const std::int64_t limit = policy_.config().max_batch_total_size_bytes;
  if (total <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(what) + " add up to " + std::to_string(total) +
                                    " bytes, over the advertised max_batch_total_size_bytes of " +
                                    std::to_string(limit) + "; use ByteStream for large blobs");
}

grpc::ServerUnaryReactor* CasService::FindMissingBlobs(grpc::CallbackServerContext* context,
                                                       const v2::FindMissingBlobsRequest* request,
                                                       v2::FindMissingBlobsResponse* response) {
  return finish_unary(context, "FindMissingBlobs", find_missing(*request, *response));
}

absl::Status CasService::find_missing(const v2::FindMissingBlobsRequest& request,
                                      v2::FindMissingBlobsResponse& response) {
  if (auto s = policy_.check_instance(request.instance_name()); !s.ok()) return s;
  for (const v2::Digest& proto : request.blob_digests()) {
    const reapi::Digest digest = reapi::from_proto(proto);
    auto fn = policy_.resolve(request.digest_function(), digest);
    if (!fn.ok()) return fn.status();  // a malformed digest fails the call (CAS-FMB-08)
    if (!cas_.contains(*fn, digest)) *response.add_missing_blob_digests() = proto;
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CasService::BatchUpdateBlobs(grpc::CallbackServerContext* context,
                                                       const v2::BatchUpdateBlobsRequest* request,
                                                       v2::BatchUpdateBlobsResponse* response) {
  return finish_unary(context, "BatchUpdateBlobs", batch_update(*request, *response));
}

absl::Status CasService::batch_update(const v2::BatchUpdateBlobsRequest& request,
                                      v2::BatchUpdateBlobsResponse& response) {
  if (auto s = policy_.check_instance(request.instance_name()); !s.ok()) return s;
  if (auto s = policy_.check_writable("BatchUpdateBlobs"); !s.ok()) return s;
  std::int64_t total = 0;
  for (const auto& entry : request.requests())
    total = add_sizes(total, entry.digest().size_bytes());
  if (auto s = check_batch_total(total, "the blobs of this BatchUpdateBlobs"); !s.ok()) return s;

  // Every entry is verified first; the good ones are then stored in one write_batch, so a
  // durable backend can make them durable together (one sync, not one per blob).
  std::vector<absl::Status> statuses(static_cast<std::size_t>(request.requests_size()));
  std::vector<std::string> decompressed;  // owns the bytes of compressed entries
  decompressed.reserve(statuses.size());
  std::vector<BlobWrite> writes;
  std::vector<std::size_t> written;  // entry index of each write
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const auto& entry = request.requests(static_cast<int>(i));
    const reapi::Digest digest = reapi::from_proto(entry.digest());
    statuses[i] = [&]() -> absl::Status {
      auto fn = policy_.resolve(request.digest_function(), digest);
      if (!fn.ok()) return fn.status();
      if (auto s = policy_.check_blob_size(digest); !s.ok()) return s;  // CAS-BUP-12
      const auto compressor = reapi::compressor_from_number(entry.compressor());
      if (!compressor) return absl::InvalidArgumentError("unknown compressor value");
      if (auto s = policy_.check_compressor(*compressor); !s.ok()) return s;
      std::string_view data = entry.data();
      if (*compressor != reapi::Compressor::identity) {
        // The digest names the uncompressed blob (cas.md N7), which bounds the output.
        auto plain = reapi::zstd_decompress(entry.data(), digest.size_bytes);
        if (!plain.ok()) return plain.status();
        data = decompressed.emplace_back(*std::move(plain));
      }
      if (auto s = Cas::verify(*fn, digest, data); !s.ok()) return s;
      if (!is_empty_blob(*fn, digest)) {
        writes.push_back(BlobWrite{BlobKey::cas(*fn, digest), data});
        written.push_back(i);
      }
      return absl::OkStatus();
    }();
  }
  const std::vector<absl::Status> stored = cas_.storage().write_batch(writes);
  for (std::size_t k = 0; k < written.size(); ++k) statuses[written[k]] = stored[k];

  for (std::size_t i = 0; i < statuses.size(); ++i) {
    auto* out = response.add_responses();
    *out->mutable_digest() = request.requests(static_cast<int>(i)).digest();
    *out->mutable_status() = reapi::to_rpc_status(statuses[i]);
    if (!statuses[i].ok()) {
      answer("BatchUpdateBlobs entry " + reapi::from_proto(out->digest()).to_string(), statuses[i]);
    }
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CasService::BatchReadBlobs(grpc::CallbackServerContext* context,
                                                     const v2::BatchReadBlobsRequest* request,
                                                     v2::BatchReadBlobsResponse* response) {
  return finish_unary(context, "BatchReadBlobs", batch_read(*request, *response));
}

absl::Status CasService::batch_read(const v2::BatchReadBlobsRequest& request,
                                    v2::BatchReadBlobsResponse& response) {
  if (auto s = policy_.check_instance(request.instance_name()); !s.ok()) return s;
  std::int64_t total = 0;
  for (const auto& d : request.digests()) total = add_sizes(total, d.size_bytes());
  if (auto s = check_batch_total(total, "the blobs asked for"); !s.ok()) return s;
  bool zstd_ok = false;
  for (int c : request.acceptable_compressors()) zstd_ok |= c == v2::Compressor::ZSTD;

  for (const v2::Digest& proto : request.digests()) {
    auto* out = response.add_responses();
    *out->mutable_digest() = proto;
    const reapi::Digest digest = reapi::from_proto(proto);
    absl::Status status = [&]() -> absl::Status {
      auto fn = policy_.resolve(request.digest_function(), digest);
      if (!fn.ok()) return fn.status();
      auto data = cas_.read(*fn, digest);
      if (!data.ok()) return data.status();
      if (zstd_ok && !data->empty()) {
        std::string compressed = reapi::zstd_compress(*data);
        if (compressed.size() < data->size()) {
          out->set_compressor(v2::Compressor::ZSTD);
          *data = std::move(compressed);
        }
      }
      out->set_data(*std::move(data));
      return absl::OkStatus();
    }();
    *out->mutable_status() = reapi::to_rpc_status(status);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v2::GetTreeResponse>> CasService::tree_pages(
    const v2::GetTreeRequest& request) {
  if (auto s = policy_.check_instance(request.instance_name()); !s.ok()) return s;
  if (request.page_size() < 0) return absl::InvalidArgumentError("page_size must not be negative");
  const reapi::Digest root = reapi::from_proto(request.root_digest());
  auto fn = policy_.resolve(request.digest_function(), root);
  if (!fn.ok()) return fn.status();
  std::size_t offset = 0;
  if (!request.page_token().empty()) {
    auto redeemed = page_tokens_.redeem(*fn, root, request.page_token());
    if (!redeemed.ok()) return redeemed.status();
    offset = *redeemed;
  }
  std::shared_ptr<const Directories> directories = tree_cache_.find(*fn, root);
  if (!directories) {
    auto walk = walk_tree(cas_, *fn, root);
    if (!walk.ok()) return walk.status();
    directories = walk->directories;
    if (walk->complete) tree_cache_.put(*fn, root, directories);
  }
  if (offset > directories->size()) {
    return absl::InvalidArgumentError("page_token points past the end of the tree");
  }
  const std::size_t page_size =
      request.page_size() > 0 ? static_cast<std::size_t>(request.page_size()) : kDefaultPageSize;
  std::vector<v2::GetTreeResponse> pages;
  // One page per message; every message but the last carries the token for the rest (N4).
  do {
    v2::GetTreeResponse page;
    std::size_t bytes = 0;
    while (offset < directories->size() &&
           static_cast<std::size_t>(page.directories_size()) < page_size) {
      const auto& directory = (*directories)[offset];
      const std::size_t size = directory.ByteSizeLong();
      if (page.directories_size() > 0 && bytes + size > kPageBytes) break;
      *page.add_directories() = directory;
      bytes += size;
      ++offset;
    }
    if (offset < directories->size())
      page.set_next_page_token(page_tokens_.issue(*fn, root, offset));
    pages.push_back(std::move(page));
  } while (offset < directories->size());
  return pages;
}

namespace {

// Streams precomputed GetTree pages, one message per page.
class TreeWriter final : public grpc::ServerWriteReactor<v2::GetTreeResponse> {
 public:
  explicit TreeWriter(absl::StatusOr<std::vector<v2::GetTreeResponse>> pages)
      : pages_(std::move(pages)) {
    if (!pages_.ok()) {
      Finish(answer("GetTree", pages_.status()));
      return;
    }
    next();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    next();
  }
  // The callback API's ownership contract: the reactor deletes itself when gRPC is done.
  void OnDone() override { delete this; }

 private:
  void next() {
    if (index_ == pages_->size()) {
      Finish(grpc::Status::OK);
      return;
    }
    StartWrite(&(*pages_)[index_++]);
  }
  absl::StatusOr<std::vector<v2::GetTreeResponse>> pages_;
  std::size_t index_ = 0;
};

}  // namespace

grpc::ServerWriteReactor<v2::GetTreeResponse>* CasService::GetTree(
    grpc::CallbackServerContext*, const v2::GetTreeRequest* request) {
  return std::make_unique<TreeWriter>(tree_pages(*request)).release();
}

grpc::ServerUnaryReactor* CasService::SplitBlob(grpc::CallbackServerContext* context,
                                                const v2::SplitBlobRequest* request,
                                                v2::SplitBlobResponse* response) {
  return finish_unary(context, "SplitBlob", split_splice_.split(*request, *response));
}

grpc::ServerUnaryReactor* CasService::SpliceBlob(grpc::CallbackServerContext* context,
                                                 const v2::SpliceBlobRequest* request,
                                                 v2::SpliceBlobResponse* response) {
  return finish_unary(context, "SpliceBlob", split_splice_.splice(*request, *response));
}

}  // namespace reference
