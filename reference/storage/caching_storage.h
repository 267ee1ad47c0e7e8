#pragma once
// A read-through cache in front of another storage, as a decorator over the Storage
// interface: `front` is small and fast (e.g. memory), `back` is the durable store and the
// only source of truth for what is stored.
//
// Only CAS blobs are cached. Their content is fixed by their key, so any copy in front is
// correct however reads and writes interleave; an ActionCache entry can be replaced, and a
// copy in front could go stale, so those go to `back` alone.
//   contains(): asks back (a hit refreshes it there, CAS-FMB-07).
//   open():     if back holds the blob, from front when present there, else from back,
//               copying blobs of at most `max_cached_blob_bytes` into front.
//   create():   writes to back; on commit small CAS blobs are also put in front.
//   write_batch(): back's write_batch(); small CAS blobs it stored are also put in front.
//   remove():   both.
//   usage():    back's.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "storage/storage.h"

namespace reference {

class CachingStorage final : public Storage {
 public:
  CachingStorage(std::unique_ptr<Storage> front, std::unique_ptr<Storage> back,
                 std::int64_t max_cached_blob_bytes);

  bool contains(const BlobKey& key) override;
  absl::StatusOr<std::unique_ptr<BlobReader>> open(const BlobKey& key) override;
  absl::StatusOr<std::unique_ptr<BlobWriter>> create(const BlobKey& key) override;
  std::vector<absl::Status> write_batch(std::span<const BlobWrite> blobs) override;
  absl::Status remove(const BlobKey& key) override;
  StorageUsage usage() const override;
  std::string describe() const override;

  Storage& front() { return *front_; }
  Storage& back() { return *back_; }

 private:
  bool cacheable(const BlobKey& key, std::int64_t size) const;

  const std::unique_ptr<Storage> front_;
  const std::unique_ptr<Storage> back_;
  const std::int64_t max_cached_blob_bytes_;
};

}  // namespace reference
