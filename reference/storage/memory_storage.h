#pragma once
// Blobs held in memory, bounded in bytes, evicting the least recently used. Blobs are
// immutable shared strings: opening one copies nothing, and a reader keeps its blob alive
// after it is evicted or replaced.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "storage/lru_index.h"
#include "storage/storage.h"

namespace reference {

class MemoryStorage final : public Storage {
 public:
  explicit MemoryStorage(std::int64_t capacity_bytes);

  bool contains(const BlobKey& key) override;
  absl::StatusOr<std::unique_ptr<BlobReader>> open(const BlobKey& key) override;
  absl::StatusOr<std::unique_ptr<BlobWriter>> create(const BlobKey& key) override;
  absl::Status remove(const BlobKey& key) override;
  StorageUsage usage() const override;
  std::string describe() const override;

 private:
  friend class MemoryBlobWriter;
  // Makes `data` the blob under `key`, then evicts down to capacity.
  void publish(const BlobKey& key, std::shared_ptr<const std::string> data);

  const std::int64_t capacity_;
  mutable std::mutex mutex_;
  LruIndex<std::shared_ptr<const std::string>> index_;  // guarded by mutex_
};

}  // namespace reference
