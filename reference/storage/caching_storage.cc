#include "storage/caching_storage.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "reapi/byte_size.h"

namespace reference {
namespace {

// Puts a copy of a blob that back has just stored in front; failing costs only a cache miss.
void copy_to_front(Storage& front, const BlobKey& key, std::string_view data) {
  if (auto status = write_blob(front, key, data); !status.ok()) {
    spdlog::debug("not caching {}: {}", key.to_string(), std::string(status.message()));
  }
}

// Writes through to the back writer and keeps a copy of a small CAS blob for the front.
class CachingBlobWriter final : public BlobWriter {
 public:
  CachingBlobWriter(std::unique_ptr<BlobWriter> back, Storage& front, BlobKey key,
                    std::int64_t max_cached_blob_bytes)
      : back_(std::move(back)),
        front_(front),
        key_(std::move(key)),
        max_cached_blob_bytes_(max_cached_blob_bytes) {
    copy_.reserve(static_cast<std::size_t>(key_.digest.size_bytes));
  }

  absl::Status append(std::string_view data) override {
    auto status = back_->append(data);
    if (status.ok() && keep_copy_) {
      if (static_cast<std::int64_t>(copy_.size() + data.size()) > max_cached_blob_bytes_) {
        keep_copy_ = false;
        copy_ = std::string();
      } else {
        copy_.append(data);
      }
    }
    return status;
  }

  std::int64_t size() const override { return back_->size(); }

  absl::Status commit() override {
    auto status = back_->commit();
    if (status.ok() && std::exchange(keep_copy_, false)) copy_to_front(front_, key_, copy_);
    return status;
  }

 private:
  const std::unique_ptr<BlobWriter> back_;
  Storage& front_;
  const BlobKey key_;
  const std::int64_t max_cached_blob_bytes_;
  std::string copy_;
  bool keep_copy_ = true;
};

}  // namespace

CachingStorage::CachingStorage(std::unique_ptr<Storage> front, std::unique_ptr<Storage> back,
                               std::int64_t max_cached_blob_bytes)
    : front_(std::move(front)),
      back_(std::move(back)),
      max_cached_blob_bytes_(max_cached_blob_bytes) {}

bool CachingStorage::cacheable(const BlobKey& key, std::int64_t size) const {
  return key.space == Space::cas && size <= max_cached_blob_bytes_;
}

bool CachingStorage::contains(const BlobKey& key) { return back_->contains(key); }

absl::StatusOr<std::unique_ptr<BlobReader>> CachingStorage::open(const BlobKey& key) {
  // Back decides what is stored (a copy left in front after back evicted or removed the
  // blob is not served); asking it also counts the use where retention matters.
  if (key.space == Space::cas && back_->contains(key)) {
    if (auto cached = front_->open(key); cached.ok()) return cached;
  }
  auto reader = back_->open(key);
  if (!reader.ok() || !cacheable(key, (*reader)->size())) return reader;
  std::string copy;
  auto status = (*reader)->read(0, static_cast<std::size_t>((*reader)->size()), copy);
  if (status.ok()) status = write_blob(*front_, key, copy);
  if (!status.ok()) {
    spdlog::debug("not caching {}: {}", key.to_string(), std::string(status.message()));
  }
  return reader;
}

absl::StatusOr<std::unique_ptr<BlobWriter>> CachingStorage::create(const BlobKey& key) {
  auto writer = back_->create(key);
  if (!writer.ok() || !cacheable(key, key.digest.size_bytes)) return writer;
  return std::make_unique<CachingBlobWriter>(*std::move(writer), *front_, key,
                                             max_cached_blob_bytes_);
}

std::vector<absl::Status> CachingStorage::write_batch(std::span<const BlobWrite> blobs) {
  std::vector<absl::Status> statuses = back_->write_batch(blobs);
  for (std::size_t i = 0; i < blobs.size() && i < statuses.size(); ++i) {
    const BlobWrite& blob = blobs[i];
    // As create() and its writer decide: by the declared size, then by the actual one.
    if (statuses[i].ok() && cacheable(blob.key, blob.key.digest.size_bytes) &&
        cacheable(blob.key, static_cast<std::int64_t>(blob.data.size()))) {
      copy_to_front(*front_, blob.key, blob.data);
    }
  }
  return statuses;
}

absl::Status CachingStorage::remove(const BlobKey& key) {
  auto front_status = front_->remove(key);
  auto back_status = back_->remove(key);
  return back_status.ok() ? front_status : back_status;
}

StorageUsage CachingStorage::usage() const { return back_->usage(); }

std::string CachingStorage::describe() const {
  return "cache:" + front_->describe() + " in front of " + back_->describe() + " (blobs up to " +
         reapi::format_byte_size(max_cached_blob_bytes_) + ")";
}

}  // namespace reference
