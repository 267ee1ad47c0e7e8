#pragma once
// Where the disk backend keeps each blob, relative to its root directory:
//   cas/<function>/<first 2 hex of hash>/<hash>-<size>
//   ac/<instance name as hex, or "_" when empty>/<function>/<2 hex>/<hash>-<size>
// Hashes are validated before any path is built and instance names are hex-encoded, so no
// key can name a file outside the root. Writes in progress live in tmp/.

#include <absl/status/statusor.h>

#include <string>
#include <string_view>

#include "storage/storage.h"

namespace reference::disk_layout {

inline constexpr std::string_view kCasDir = "cas";
inline constexpr std::string_view kActionCacheDir = "ac";
inline constexpr std::string_view kTempDir = "tmp";

// A file name component holds at most 255 bytes, so a hex-encoded instance name can come
// from at most 127 bytes.
inline constexpr std::size_t kMaxInstanceNameBytes = 127;

// The blob's path relative to the root; INVALID_ARGUMENT for a key that fails
// validate_key() or whose instance name is too long to encode.
absl::StatusOr<std::string> blob_path(const BlobKey& key);

// The key stored at `relative_path` (as blob_path() builds it, '/'-separated);
// INVALID_ARGUMENT with the reason for anything else.
absl::StatusOr<BlobKey> parse_blob_path(std::string_view relative_path);

}  // namespace reference::disk_layout
