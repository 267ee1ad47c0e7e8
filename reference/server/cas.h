#pragma once
// The CAS as the services see it: storage plus the rules every CAS path shares. The empty
// blob is always present (COM-05), and nothing is stored that was not verified against its
// digest first (CAS-BUP-03, BS-WRITE-04): uploads are hashed as they arrive and committed
// only when hash and size match.

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <string_view>

#include "reapi/digest.h"
#include "storage/storage.h"

namespace reference {

// An upload being received: hashes each piece as it is appended and commits to storage
// only when the whole blob matches its digest.
class VerifiedUpload {
 public:
  static absl::StatusOr<std::unique_ptr<VerifiedUpload>> start(Storage& storage,
                                                               reapi::DigestFunction fn,
                                                               const reapi::Digest& digest);
  VerifiedUpload(reapi::Hasher hasher, std::unique_ptr<BlobWriter> writer, reapi::Digest digest);
  // INVALID_ARGUMENT as soon as more bytes arrive than the digest's size.
  absl::Status append(std::string_view data);
  std::int64_t size() const { return hasher_.bytes_hashed(); }
  const reapi::Digest& digest() const { return digest_; }
  // INVALID_ARGUMENT (and nothing stored) when the bytes do not match the digest.
  absl::Status commit();

 private:
  reapi::Hasher hasher_;
  std::unique_ptr<BlobWriter> writer_;
  reapi::Digest digest_;
};

class Cas {
 public:
  explicit Cas(Storage& storage) : storage_(storage) {}

  bool contains(reapi::DigestFunction fn, const reapi::Digest& digest);
  // NOT_FOUND when absent.
  absl::StatusOr<std::unique_ptr<BlobReader>> open(reapi::DigestFunction fn,
                                                   const reapi::Digest& digest);
  absl::StatusOr<std::string> read(reapi::DigestFunction fn, const reapi::Digest& digest);
  // OK when `data` is the blob `digest` names (size and hash); INVALID_ARGUMENT otherwise.
  static absl::Status verify(reapi::DigestFunction fn, const reapi::Digest& digest,
                             std::string_view data);
  // Verifies `data` against `digest` and stores it.
  absl::Status write(reapi::DigestFunction fn, const reapi::Digest& digest, std::string_view data);
  absl::StatusOr<std::unique_ptr<VerifiedUpload>> begin_upload(reapi::DigestFunction fn,
                                                               const reapi::Digest& digest);
  Storage& storage() { return storage_; }

 private:
  Storage& storage_;
};

}  // namespace reference
