// CAS storage faults, as decorators of the server's storage: an index keyed by hash alone
// (the size of a digest is never looked at), and a store that refuses to write a blob it
// already holds.

#include <map>
#include <mutex>
#include <set>

#include "fault_plan.h"
#include "forwarding_storage.h"

namespace faulty {
namespace {
using reference::BlobKey;
using reference::Storage;

// --- hash-only-index ---

// Remembers the size stored under each hash, so a lookup can ignore the size it is given.
class SizeByHash {
 public:
  void remember(const BlobKey& key) {
    std::lock_guard lock(mu_);
    sizes_[name(key)] = key.digest.size_bytes;
  }
  // `key` with the size stored under its hash, if one is.
  BlobKey resolve(const BlobKey& key) const {
    std::lock_guard lock(mu_);
    auto it = sizes_.find(name(key));
    if (it == sizes_.end()) return key;
    BlobKey stored = key;
    stored.digest.size_bytes = it->second;
    return stored;
  }

 private:
  static std::string name(const BlobKey& key) {
    return std::to_string(static_cast<int>(key.space)) + "/" + key.instance_name + "/" +
           std::string(reapi::name(key.function)) + "/" + key.digest.hash;
  }
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> sizes_;
};

// Commits through the wrapped writer and records the blob's size once it is stored.
class RecordingWriter final : public reference::BlobWriter {
 public:
  RecordingWriter(std::unique_ptr<reference::BlobWriter> inner, BlobKey key,
                  std::shared_ptr<SizeByHash> sizes)
      : inner_(std::move(inner)), key_(std::move(key)), sizes_(std::move(sizes)) {}
  absl::Status append(std::string_view data) override { return inner_->append(data); }
  std::int64_t size() const override { return inner_->size(); }
  absl::Status commit() override {
    absl::Status status = inner_->commit();
    if (status.ok()) sizes_->remember(key_);
    return status;
  }

 private:
  std::unique_ptr<reference::BlobWriter> inner_;
  BlobKey key_;
  std::shared_ptr<SizeByHash> sizes_;
};

// Finds a blob by its hash whatever size the digest says: (hash, wrong size) is present
// and reads as the stored blob.
class HashOnlyIndex final : public ForwardingStorage {
 public:
  using ForwardingStorage::ForwardingStorage;

  bool contains(const BlobKey& key) override { return inner().contains(sizes_->resolve(key)); }
  absl::StatusOr<std::unique_ptr<reference::BlobReader>> open(const BlobKey& key) override {
    return inner().open(sizes_->resolve(key));
  }
  absl::StatusOr<std::unique_ptr<reference::BlobWriter>> create(const BlobKey& key) override {
    auto writer = inner().create(key);
    if (!writer.ok()) return writer;
    return std::make_unique<RecordingWriter>(*std::move(writer), key, sizes_);
  }
  std::vector<absl::Status> write_batch(std::span<const reference::BlobWrite> blobs) override {
    std::vector<absl::Status> statuses = inner().write_batch(blobs);
    for (std::size_t i = 0; i < blobs.size(); ++i)
      if (statuses[i].ok()) sizes_->remember(blobs[i].key);
    return statuses;
  }

 private:
  std::shared_ptr<SizeByHash> sizes_ = std::make_shared<SizeByHash>();
};

// --- exclusive-create ---

// Creates CAS blobs exclusively: writing a blob that is already stored, or twice in one
// batch, fails with ALREADY_EXISTS instead of succeeding.
class ExclusiveCreate final : public ForwardingStorage {
 public:
  using ForwardingStorage::ForwardingStorage;

  absl::StatusOr<std::unique_ptr<reference::BlobWriter>> create(const BlobKey& key) override {
    if (key.space == reference::Space::cas && inner().contains(key)) return exists(key);
    return inner().create(key);
  }
  std::vector<absl::Status> write_batch(std::span<const reference::BlobWrite> blobs) override {
    std::vector<absl::Status> statuses(blobs.size());
    std::vector<reference::BlobWrite> fresh;
    std::vector<std::size_t> fresh_at;
    std::set<std::string> batch;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      const BlobKey& key = blobs[i].key;
      const bool taken = !batch.insert(key.to_string()).second || inner().contains(key);
      if (key.space == reference::Space::cas && taken) {
        statuses[i] = exists(key);
      } else {
        fresh.push_back(blobs[i]);
        fresh_at.push_back(i);
      }
    }
    std::vector<absl::Status> written = inner().write_batch(fresh);
    for (std::size_t k = 0; k < fresh_at.size(); ++k) statuses[fresh_at[k]] = written[k];
    return statuses;
  }

 private:
  static absl::Status exists(const BlobKey& key) {
    return absl::AlreadyExistsError("blob " + key.digest.to_string() + " is already stored");
  }
};

template <class T>
FaultPlan wrapped_in() {
  FaultPlan plan;
  plan.wrap_storage = [](std::unique_ptr<Storage> inner) -> std::unique_ptr<Storage> {
    return std::make_unique<T>(std::move(inner));
  };
  return plan;
}

}  // namespace

std::vector<FaultEntry> cas_storage_faults() {
  return {
      {.name = "hash-only-index",
       .description = "the CAS finds blobs by hash alone: a stored hash with a wrong size is "
                      "present and readable",
       .make = wrapped_in<HashOnlyIndex>,
       .expect = {.filter = "cas.find_missing.*,cas.batch_read.*,bytestream.read.*,"
                            "common.size_is_part_of_digest",
                  .fails = {"cas.find_missing.wrong_size_is_missing",
                            "cas.batch_read.wrong_size_not_returned",
                            "bytestream.read.wrong_size_not_served",
                            "common.size_is_part_of_digest"}}},
      // CAS-BUP-08 is a SHOULD rule: a warning; CAS-BUP-07 (MUST) fails the run.
      {.name = "exclusive-create",
       .description = "BatchUpdateBlobs answers ALREADY_EXISTS for a blob already stored or "
                      "repeated in the call",
       .make = wrapped_in<ExclusiveCreate>,
       .expect = {.filter = "cas.batch_update.*",
                  .fails = {"cas.batch_update.reupload_succeeds"},
                  .warns = {"cas.batch_update.duplicate_entries"}}},
  };
}

}  // namespace faulty
