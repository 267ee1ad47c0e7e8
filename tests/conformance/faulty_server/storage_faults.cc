// Storage that acknowledges writes it does not keep: a commit of a chosen key answers OK
// and the blob is never found. lost-writes drops CAS blobs of 1 KiB or more (small blobs
// and the batch paths that use them keep working); action-cache-ignores-update drops every
// ActionCache entry. And an ActionCache that merges a rewritten entry into the old one.

#include <functional>
#include <set>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "fault_plan.h"
#include "forwarding_storage.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;
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

class DroppingStorage final : public ForwardingStorage {
 public:
  using Predicate = std::function<bool(const BlobKey&)>;
  DroppingStorage(std::unique_ptr<Storage> inner, Predicate drops, std::string what)
      : ForwardingStorage(std::move(inner)), drops_(std::move(drops)), what_(std::move(what)) {}

  absl::StatusOr<std::unique_ptr<reference::BlobWriter>> create(const BlobKey& key) override {
    auto writer = inner().create(key);
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
        statuses[i] = inner().create(blobs[i].key).status();
      } else {
        kept.push_back(blobs[i]);
        kept_at.push_back(i);
      }
    }
    std::vector<absl::Status> kept_statuses = inner().write_batch(kept);
    for (std::size_t i = 0; i < kept_at.size(); ++i) statuses[kept_at[i]] = kept_statuses[i];
    return statuses;
  }
  std::string describe() const override {
    return inner().describe() + " (faulty: drops " + what_ + ")";
  }

 private:
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

// Holds a new ActionCache entry until commit, then writes it merged into the entry it
// replaces: outputs of the old result at paths the new one does not have are kept.
class MergingWriter final : public reference::BlobWriter {
 public:
  MergingWriter(Storage& storage, BlobKey key, std::unique_ptr<reference::BlobWriter> inner)
      : storage_(storage), key_(std::move(key)), inner_(std::move(inner)) {}
  absl::Status append(std::string_view data) override {
    data_.append(data);
    return absl::OkStatus();
  }
  std::int64_t size() const override { return static_cast<std::int64_t>(data_.size()); }
  absl::Status commit() override {
    v2::ActionResult merged, old;
    auto previous = reference::read_blob(storage_, key_);
    if (previous.ok() && old.ParseFromString(*previous) && merged.ParseFromString(data_)) {
      merge_outputs(old, merged);
      data_ = merged.SerializeAsString();
    }
    if (auto s = inner_->append(data_); !s.ok()) return s;
    return inner_->commit();
  }

 private:
  template <class Outputs>
  static void keep_other_paths(const Outputs& old, Outputs& merged) {
    std::set<std::string> paths;
    for (const auto& o : merged) paths.insert(o.path());
    for (const auto& o : old) {
      if (!paths.contains(o.path())) *merged.Add() = o;
    }
  }
  static void merge_outputs(const v2::ActionResult& old, v2::ActionResult& merged) {
    keep_other_paths(old.output_files(), *merged.mutable_output_files());
    keep_other_paths(old.output_directories(), *merged.mutable_output_directories());
    keep_other_paths(old.output_symlinks(), *merged.mutable_output_symlinks());
  }

  Storage& storage_;
  BlobKey key_;
  std::unique_ptr<reference::BlobWriter> inner_;
  std::string data_;
};

// ActionCache entries are written through create() (only CAS blobs come in batches).
class MergingActionCache final : public ForwardingStorage {
 public:
  using ForwardingStorage::ForwardingStorage;

  absl::StatusOr<std::unique_ptr<reference::BlobWriter>> create(const BlobKey& key) override {
    auto writer = inner().create(key);
    if (!writer.ok() || key.space != reference::Space::action_cache) return writer;
    return std::make_unique<MergingWriter>(inner(), key, *std::move(writer));
  }
  std::string describe() const override {
    return inner().describe() + " (faulty: merges rewritten ActionCache entries)";
  }
};

FaultPlan merge_action_cache_rewrites() {
  FaultPlan plan;
  plan.wrap_storage = [](std::unique_ptr<Storage> inner) {
    return std::make_unique<MergingActionCache>(std::move(inner));
  };
  return plan;
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
      {.name = "action-cache-merges-rewrites",
       .description = "UpdateActionResult of an action already cached merges the new result "
                      "into the old one (old outputs at other paths kept) instead of replacing it",
       .make = merge_action_cache_rewrites,
       .expect = {.filter = "action_cache.*", .fails = {"action_cache.overwrite_whole_result"}}},
  };
}

}  // namespace faulty
