#pragma once
// ByteStream resource names for CAS blobs (shared/reapi/bytestream.md 1.1):
//   {instance}/blobs/{digest_function/}{hash}/{size}
//   {instance}/compressed-blobs/{compressor}/{digest_function/}{hash}/{size}
//   {instance}/uploads/{uuid}/blobs/{digest_function/}{hash}/{size}{/metadata}
//   {instance}/uploads/{uuid}/compressed-blobs/{compressor}/{digest_function/}{hash}/{size}{/metadata}
// The instance name may hold '/'; it ends at the first blobs/uploads/compressed-blobs
// segment. Malformed names are rejected with INVALID_ARGUMENT and the reason.

#include <absl/status/statusor.h>

#include <optional>
#include <string>
#include <string_view>

#include "reapi/compression.h"
#include "reapi/digest.h"
#include "reapi/digest_function.h"

namespace reapi {

struct BlobResourceName {
  std::string instance_name;
  // The client's upload id (normally a UUID); empty for read names.
  std::string upload_id;
  Compressor compressor = Compressor::identity;
  // Set only when the name spells out the function (sha256tree, blake3, gitsha1); the
  // others are inferred from the hash length by the server.
  std::optional<DigestFunction> digest_function;
  // For compressed names, the digest of the uncompressed blob.
  Digest digest;
  // Trailing segments of an upload name, without the leading '/'; empty for reads.
  std::string metadata;

  bool is_upload() const { return !upload_id.empty(); }
  bool operator==(const BlobResourceName&) const = default;
};

// The reserved words no instance-name segment may equal (COM-12).
bool is_reserved_instance_segment(std::string_view segment);
// OK when `instance` is a valid instance name: no empty or reserved segment.
absl::Status validate_instance_name(std::string_view instance);

absl::StatusOr<BlobResourceName> parse_read_resource_name(std::string_view name);
absl::StatusOr<BlobResourceName> parse_write_resource_name(std::string_view name);

// Formats `name` as a read name (upload_id and metadata ignored).
std::string format_read_resource_name(const BlobResourceName& name);
// Formats `name` as an upload name; upload_id must be set.
std::string format_write_resource_name(const BlobResourceName& name);

}  // namespace reapi
