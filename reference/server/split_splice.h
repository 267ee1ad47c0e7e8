#pragma once
// SplitBlob and SpliceBlob (shared/reapi/cas.md section 5, CAS-SPLIT-*), over the same CAS
// as every other RPC. SplitBlob cuts the stored blob with FastCDC 2020 at the advertised
// parameters, stores every chunk and lists their digests; SpliceBlob reads the listed
// chunks back and stores their concatenation only once it hashes to blob_digest: the
// client's digest is never trusted. Both stream, so no blob is held whole in memory.

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <string_view>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "server/cas.h"
#include "server/fast_cdc.h"
#include "server/policy.h"

namespace reference {

class SplitSplice {
 public:
  // `policy` must come from Policy::create, which has validated the chunking parameters.
  SplitSplice(const Policy& policy, Cas& cas);

  absl::Status split(const build::bazel::remote::execution::v2::SplitBlobRequest& request,
                     build::bazel::remote::execution::v2::SplitBlobResponse& response);
  absl::Status splice(const build::bazel::remote::execution::v2::SpliceBlobRequest& request,
                      build::bazel::remote::execution::v2::SpliceBlobResponse& response);

 private:
  // UNIMPLEMENTED when turned off (CAS-SPLIT-01), then the instance check.
  absl::Status check_served(std::string_view method, const std::string& instance) const;
  // Stores one chunk (unless present: the lookup then refreshes its lifetime) and returns
  // its digest. RESOURCE_EXHAUSTED when the storage has no room (CAS-SPLIT-11).
  absl::StatusOr<reapi::Digest> store_chunk(reapi::DigestFunction fn, std::string_view chunk);

  const Policy& policy_;
  Cas& cas_;
  FastCdc2020 chunker_;
};

}  // namespace reference
