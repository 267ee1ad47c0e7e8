#pragma once
// The check every backend applies to a key before using it, so that all of them accept and
// reject the same keys (and the disk backend never builds a path from an unchecked hash).

#include <absl/status/status.h>

#include "storage/storage.h"

namespace reference {

// INVALID_ARGUMENT unless the digest is well formed for the key's function (COM-01, COM-02,
// COM-04) and a CAS key carries no instance name (CAS blobs are shared by every instance).
absl::Status validate_key(const BlobKey& key);

}  // namespace reference
