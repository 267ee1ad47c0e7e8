#include "storage/blob_key_check.h"

namespace reference {

absl::Status validate_key(const BlobKey& key) {
  if (auto status = reapi::validate_digest(key.function, key.digest); !status.ok()) {
    return absl::InvalidArgumentError("storage key " + key.to_string() + ": " +
                                      std::string(status.message()));
  }
  if (key.space == Space::cas && !key.instance_name.empty()) {
    return absl::InvalidArgumentError("storage key " + key.to_string() +
                                      ": CAS keys carry no instance name");
  }
  return absl::OkStatus();
}

}  // namespace reference
