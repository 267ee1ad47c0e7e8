#pragma once
// The one small interface every storage backend implements, and that decorators wrap.
// A backend stores opaque blobs under keys; it does not verify content against digests
// (the services do that before they commit). Blobs become visible only on commit().

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reapi/digest.h"
#include "reapi/digest_function.h"

namespace reference {

// CAS blobs are keyed by their own digest and shared by every instance; ActionCache
// entries are keyed by the action digest within their instance (AC-13).
enum class Space : std::uint8_t { cas, action_cache };

struct BlobKey {
  Space space = Space::cas;
  std::string instance_name;  // ActionCache only; empty for CAS
  reapi::DigestFunction function = reapi::DigestFunction::sha256;
  reapi::Digest digest;

  bool operator==(const BlobKey&) const = default;
  std::string to_string() const;

  static BlobKey cas(reapi::DigestFunction fn, reapi::Digest digest);
  static BlobKey action(std::string instance, reapi::DigestFunction fn, reapi::Digest digest);
};

struct BlobKeyHash {
  std::size_t operator()(const BlobKey& key) const;
};

// A stored blob opened for reading. The content never changes while it is open, even if
// the blob is evicted or replaced meanwhile.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual std::int64_t size() const = 0;
  // Appends min(length, size - offset) bytes starting at `offset` to `out`.
  // OUT_OF_RANGE if offset is negative or past the end.
  virtual absl::Status read(std::int64_t offset, std::size_t length, std::string& out) = 0;
};

// A blob being written. Nothing is visible until commit(); a writer destroyed without a
// successful commit leaves no trace.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual absl::Status append(std::string_view data) = 0;
  // Bytes appended so far.
  virtual std::int64_t size() const = 0;
  // Makes the blob readable under its key atomically, replacing any earlier value; once it
  // returns OK the blob is durable (as durable as the backend promises). A writer is spent
  // after commit, whatever the result.
  virtual absl::Status commit() = 0;
};

struct StorageUsage {
  std::int64_t bytes = 0;     // stored bytes
  std::int64_t blobs = 0;     // stored blobs
  std::int64_t capacity = 0;  // bound in bytes
};

// One blob of a Storage::write_batch() call; `data` must outlive the call.
struct BlobWrite {
  BlobKey key;
  std::string_view data;
};

class Storage {
 public:
  virtual ~Storage() = default;
  // Whether the key is stored. A hit counts as a use (it delays eviction; CAS-FMB-07).
  virtual bool contains(const BlobKey& key) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<std::unique_ptr<BlobReader>> open(const BlobKey& key) = 0;
  // Starts writing a blob. INVALID_ARGUMENT for a key the backend cannot hold (e.g. a hash
  // that is not valid hex of the right length), RESOURCE_EXHAUSTED when it cannot fit.
  virtual absl::StatusOr<std::unique_ptr<BlobWriter>> create(const BlobKey& key) = 0;
  // Stores each blob like write_blob(); one status per blob, in order. Each blob whose
  // status is OK is committed and durable when the call returns; one that fails (bad key,
  // I/O error, too big for the capacity) leaves its key as it was and does not affect the
  // others. The result is as if the blobs were written one after the other: later ones
  // count as more recently used, and of two writes of one key the later wins. A backend may
  // share the cost of durability across the batch; this default writes one blob at a time.
  virtual std::vector<absl::Status> write_batch(std::span<const BlobWrite> blobs);
  // Deletes the blob if present; OK either way.
  virtual absl::Status remove(const BlobKey& key) = 0;
  virtual StorageUsage usage() const = 0;
  // One line for the start-up log, e.g. "disk:/var/cas (50GiB)".
  virtual std::string describe() const = 0;
};

// Whole-blob helpers for small blobs (batch calls, Directories, ActionResults).
absl::StatusOr<std::string> read_all(BlobReader& reader);
absl::StatusOr<std::string> read_blob(Storage& storage, const BlobKey& key);
absl::Status write_blob(Storage& storage, const BlobKey& key, std::string_view data);

}  // namespace reference
