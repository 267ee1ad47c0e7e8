// Storage that acknowledges writes it does not keep: a commit of a chosen key answers OK
// and the blob is never found. lost-writes drops CAS blobs of 1 KiB or more (small blobs
// and the batch paths that use them keep working); action-cache-ignores-update drops every
// ActionCache entry.

#include <functional>

#include "fault_plan.h"

namespace faulty {
namespace {
using reference::BlobKey;
using reference::Storage;

// Takes the bytes, counts them, and lets them go: commit() says OK and stores nothing.
class DiscardingWriter final : public reference::BlobWriter {
 public:
  // `inner` is the backend's writer for the key, kept only so the key was validated and
  // space was checked as usual; it is destroyed uncommitted, which leaves no trace.
  explicit DiscardingWriter(std::unique_ptr<reference::BlobWriter> inner)
      : inner_(std::move(inner)) {}
  absl::Status append(std::string_view data) override {
    size_ += static_cast<std::int64_t>(data.size());
    return absl::OkStatus();
  }
  std::int64_t size() const override { return size_; }
  absl::Status commit() override {
    inner_.reset();
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<reference::BlobWriter> inner_;
  std::int64_t size_ = 0;
};

class DroppingStorage final : public Storage {
 public:
  using Predicate = std::function<bool(const BlobKey&)>;
  DroppingStorage(std::unique_ptr<Storage> inner, Predicate drops, std::string what)
      : inner_(std::move(inner)), drops_(std::move(drops)), what_(std::move(what)) {}

  bool contains(const BlobKey& key) override { return inner_->contains(key); }
  absl::StatusOr<std::unique_ptr<reference::BlobReader>> open(const BlobKey& key) override {
    return inner_->open(key);
  }
  absl::StatusOr<std::unique_ptr<reference::BlobWriter>> create(const BlobKey& key) override {
    auto writer = inner_->create(key);
    if (!writer.ok() || !drops_(key)) return writer;
    return std::make_unique<DiscardingWriter>(*std::move(writer));
  }
  std::vector<absl::Status> write_batch(std::span<const reference::BlobWrite> blobs) override {
    // The kept blobs go to the backend in one batch; the dropped ones only get their OK.
    std::vector<reference::BlobWrite> kept;
    std::vector<std::size_t> kept_at;
    std::vector<absl::Status> statuses(blobs.size());
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      if (drops_(blobs[i].key)) {
        statuses[i] = inner_->create(blobs[i].key).status();
      } else {
        kept.push_back(blobs[i]);
        kept_at.push_back(i);
      }
    }
    std::vector<absl::Status> kept_statuses = inner_->write_batch(kept);
    for (std::size_t i = 0; i < kept_at.size(); ++i) statuses[kept_at[i]] = kept_statuses[i];
    return statuses;
  }
  absl::Status remove(const BlobKey& key) override { return inner_->remove(key); }
  reference::StorageUsage usage() const override { return inner_->usage(); }
  std::string describe() const override {
    return inner_->describe() + " (faulty: drops " + what_ + ")";
  }

 private:
  std::unique_ptr<Storage> inner_;
  Predicate drops_;
  std::string what_;
};

FaultPlan dropping(DroppingStorage::Predicate drops, std::string what) {
  FaultPlan plan;
  plan.wrap_storage = [drops = std::move(drops),
                       what = std::move(what)](std::unique_ptr<Storage> inner) {
    return std::make_unique<DroppingStorage>(std::move(inner), drops, what);
  };
  return plan;
}

FaultPlan drop_large_cas_blobs() {
  return dropping(
      [](const BlobKey& key) {
        return key.space == reference::Space::cas && key.digest.size_bytes >= 1024;
      },
      "CAS blobs of 1 KiB or more");
}

FaultPlan drop_action_cache_entries() {
  return dropping([](const BlobKey& key) { return key.space == reference::Space::action_cache; },
                  "ActionCache entries");
}

}  // namespace

std::vector<FaultEntry> storage_faults() {
  return {
      {.name = "lost-writes",
       .description = "CAS blobs of 1 KiB or more are acknowledged but never stored",
       .make = drop_large_cas_blobs,
       .expect = {.filter = "bytestream.write.*,cas.batch_update.*",
                  .fails = {"bytestream.write.successful_upload",
                            "cas.batch_update.stored_is_readable"}}},
      {.name = "action-cache-ignores-update",
       .description = "UpdateActionResult answers OK but stores nothing",
       .make = drop_action_cache_entries,
       .expect = {.filter = "action_cache.*", .fails = {"action_cache.store_then_fetch"}}},
  };
}

}  // namespace faulty
