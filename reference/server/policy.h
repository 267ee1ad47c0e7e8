#pragma once
// What this server accepts, in one place so every service refuses the same things the same
// way: instance names, digest functions (explicit or inferred from the hash length),
// compressors, read-only mode. Also the empty-blob rule (COM-05).

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <optional>
#include <string>
#include <vector>

#include "reapi/compression.h"
#include "reapi/digest.h"
#include "reapi/digest_function.h"
#include "reapi/resource_name.h"
#include "server/server_config.h"

namespace reference {

class Policy {
 public:
  // INVALID_ARGUMENT if the configuration itself is unusable (reserved instance names,
  // digest functions we cannot hash, ...).
  static absl::StatusOr<Policy> create(const ServerConfig& config);

  // INVALID_ARGUMENT for an instance name this server does not serve (COM-13).
  absl::Status check_instance(const std::string& instance) const;
  // PERMISSION_DENIED in read-only mode.
  absl::Status check_writable(std::string_view what) const;
  // INVALID_ARGUMENT for a blob over the configured max_cas_blob_size_bytes (CAS-BUP-12,
  // BS-WRITE-12), whichever way it would be stored.
  absl::Status check_blob_size(const reapi::Digest& digest) const;
  // Whether SplitBlob / SpliceBlob are served (and advertised): configured on and writable,
  // since both store blobs (chunks, or the spliced blob).
  bool split_splice_enabled() const { return config_.split_splice && !config_.read_only; }

  // The function a digest in a request is meant with: `requested` (the request's
  // digest_function field, 0 when unset) if set, else inferred from the hash length
  // (COM-07, COM-08). Also validates the digest (COM-02, COM-04). INVALID_ARGUMENT with the
  // reason otherwise (COM-09).
  absl::StatusOr<reapi::DigestFunction> resolve(int requested, const reapi::Digest& digest) const;
  // Same for a resource name's optional function segment.
  absl::StatusOr<reapi::DigestFunction> resolve(std::optional<reapi::DigestFunction> segment,
                                                const reapi::Digest& digest) const;

  // INVALID_ARGUMENT unless `c` may be used in compressed-blobs names / batch updates.
  absl::Status check_compressor(reapi::Compressor c) const;
  // Everything a ByteStream resource name must pass, for Read, Write and QueryWriteStatus
  // alike: a served instance, a supported digest function (returned) and compressor.
  absl::StatusOr<reapi::DigestFunction> check_blob_name(const reapi::BlobResourceName& name) const;

  const std::vector<reapi::DigestFunction>& digest_functions() const { return functions_; }
  const std::vector<reapi::Compressor>& compressors() const { return compressors_; }
  const ServerConfig& config() const { return config_; }

 private:
  ServerConfig config_;
  std::vector<reapi::DigestFunction> functions_;
  std::vector<reapi::Compressor> compressors_{reapi::Compressor::zstd};
};

// The empty blob, which every CAS holds whether or not it was uploaded (COM-05).
bool is_empty_blob(reapi::DigestFunction fn, const reapi::Digest& digest);

}  // namespace reference
