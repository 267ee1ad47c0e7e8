#pragma once
// ContentAddressableStorage: FindMissingBlobs, BatchUpdateBlobs, BatchReadBlobs, GetTree and
// the optional SplitBlob/SpliceBlob (shared/reapi/cas.md), which answer UNIMPLEMENTED when
// turned off (CAS-SPLIT-01).

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "server/cas.h"
#include "server/policy.h"
#include "server/split_splice.h"
#include "server/tree_walker.h"

namespace reference {

class CasService final
    : public build::bazel::remote::execution::v2::ContentAddressableStorage::CallbackService {
 public:
  CasService(const Policy& policy, Cas& cas);

  grpc::ServerUnaryReactor* FindMissingBlobs(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::FindMissingBlobsRequest* request,
      build::bazel::remote::execution::v2::FindMissingBlobsResponse* response) override;
  grpc::ServerUnaryReactor* BatchUpdateBlobs(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::BatchUpdateBlobsRequest* request,
      build::bazel::remote::execution::v2::BatchUpdateBlobsResponse* response) override;
  grpc::ServerUnaryReactor* BatchReadBlobs(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::BatchReadBlobsRequest* request,
      build::bazel::remote::execution::v2::BatchReadBlobsResponse* response) override;
  grpc::ServerWriteReactor<build::bazel::remote::execution::v2::GetTreeResponse>* GetTree(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::GetTreeRequest* request) override;
  grpc::ServerUnaryReactor* SplitBlob(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::SplitBlobRequest* request,
      build::bazel::remote::execution::v2::SplitBlobResponse* response) override;
  grpc::ServerUnaryReactor* SpliceBlob(
      grpc::CallbackServerContext* context,
      const build::bazel::remote::execution::v2::SpliceBlobRequest* request,
      build::bazel::remote::execution::v2::SpliceBlobResponse* response) override;

 private:
  absl::Status find_missing(const build::bazel::remote::execution::v2::FindMissingBlobsRequest&,
                            build::bazel::remote::execution::v2::FindMissingBlobsResponse&);
  absl::Status batch_update(const build::bazel::remote::execution::v2::BatchUpdateBlobsRequest&,
                            build::bazel::remote::execution::v2::BatchUpdateBlobsResponse&);
  absl::Status batch_read(const build::bazel::remote::execution::v2::BatchReadBlobsRequest&,
                          build::bazel::remote::execution::v2::BatchReadBlobsResponse&);
  // The pages GetTree sends for `request`, each one response message.
  absl::StatusOr<std::vector<build::bazel::remote::execution::v2::GetTreeResponse>> tree_pages(
      const build::bazel::remote::execution::v2::GetTreeRequest& request);
  // INVALID_ARGUMENT when the digests' sizes add up to more than the advertised limit.
  absl::Status check_batch_total(std::int64_t total, std::string_view what) const;

  const Policy& policy_;
  Cas& cas_;
  TreeCache tree_cache_;
  PageTokens page_tokens_;
  SplitSplice split_splice_;
};

}  // namespace reference
