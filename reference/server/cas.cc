#include "server/cas.h"

#include "server/policy.h"

namespace reference {
namespace {

// Reader of the empty blob, which needs no storage.
class EmptyReader final : public BlobReader {
 public:
  std::int64_t size() const override { return 0; }
  absl::Status read(std::int64_t offset, std::size_t, std::string&) override {
    if (offset != 0) return absl::OutOfRangeError("offset past the end of the empty blob");
    return absl::OkStatus();
  }
};

}  // namespace

VerifiedUpload::VerifiedUpload(reapi::Hasher hasher, std::unique_ptr<BlobWriter> writer,
                               reapi::Digest digest)
    : hasher_(std::move(hasher)), writer_(std::move(writer)), digest_(std::move(digest)) {}

absl::StatusOr<std::unique_ptr<VerifiedUpload>> VerifiedUpload::start(Storage& storage,
                                                                      reapi::DigestFunction fn,
                                                                      const reapi::Digest& digest) {
  auto hasher = reapi::Hasher::create(fn);
  if (!hasher.ok()) return hasher.status();
  auto writer = storage.create(BlobKey::cas(fn, digest));
  if (!writer.ok()) return writer.status();
  return std::make_unique<VerifiedUpload>(*std::move(hasher), *std::move(writer), digest);
}

absl::Status VerifiedUpload::append(std::string_view data) {
  if (size() + static_cast<std::int64_t>(data.size()) > digest_.size_bytes) {
    return absl::InvalidArgumentError("received more than the " +
                                      std::to_string(digest_.size_bytes) + " bytes of blob " +
                                      digest_.to_string());
  }
  hasher_.update(data);
  return writer_->append(data);
}

absl::Status VerifiedUpload::commit() {
  if (size() != digest_.size_bytes) {
    return absl::InvalidArgumentError("received " + std::to_string(size()) + " bytes for blob " +
                                      digest_.to_string() + ", which has " +
                                      std::to_string(digest_.size_bytes));
  }
  const std::string hash = hasher_.finish_hex();
  if (hash != digest_.hash) {
    return absl::InvalidArgumentError("data hashes to " + hash + ", not to " + digest_.hash +
                                      " as its digest says");
  }
  return writer_->commit();
}

bool Cas::contains(reapi::DigestFunction fn, const reapi::Digest& digest) {
  return is_empty_blob(fn, digest) || storage_.contains(BlobKey::cas(fn, digest));
}

absl::StatusOr<std::unique_ptr<BlobReader>> Cas::open(reapi::DigestFunction fn,
                                                      const reapi::Digest& digest) {
  if (is_empty_blob(fn, digest)) return std::make_unique<EmptyReader>();
  auto reader = storage_.open(BlobKey::cas(fn, digest));
  if (!reader.ok() && absl::IsNotFound(reader.status())) {
    return absl::NotFoundError("blob " + digest.to_string() + " is not in the CAS");
  }
  return reader;
}

absl::StatusOr<std::string> Cas::read(reapi::DigestFunction fn, const reapi::Digest& digest) {
  auto reader = open(fn, digest);
  if (!reader.ok()) return reader.status();
  return read_all(**reader);
}

absl::Status Cas::verify(reapi::DigestFunction fn, const reapi::Digest& digest,
                         std::string_view data) {
  if (static_cast<std::int64_t>(data.size()) != digest.size_bytes) {
    return absl::InvalidArgumentError("data has " + std::to_string(data.size()) +
                                      " bytes but its digest " + digest.to_string() + " says " +
                                      std::to_string(digest.size_bytes));
  }
  const std::string hash = reapi::hash_hex(fn, data);
  if (hash != digest.hash) {
    return absl::InvalidArgumentError("data hashes to " + hash + ", not to " + digest.hash +
                                      " as its digest says");
  }
  return absl::OkStatus();
}

absl::Status Cas::write(reapi::DigestFunction fn, const reapi::Digest& digest,
                        std::string_view data) {
  // Small blobs: verified before they touch storage, so bad data never reaches it.
  if (auto s = verify(fn, digest, data); !s.ok()) return s;
  return write_blob(storage_, BlobKey::cas(fn, digest), data);
}

absl::StatusOr<std::unique_ptr<VerifiedUpload>> Cas::begin_upload(reapi::DigestFunction fn,
                                                                  const reapi::Digest& digest) {
  return VerifiedUpload::start(storage_, fn, digest);
}

}  // namespace reference
