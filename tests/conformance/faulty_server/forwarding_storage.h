#pragma once
// A Storage decorator that passes every call to the storage it wraps, so a storage fault
// overrides only the calls its bug is about.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/storage.h"

namespace faulty {

class ForwardingStorage : public reference::Storage {
 public:
  explicit ForwardingStorage(std::unique_ptr<reference::Storage> inner)
      : inner_(std::move(inner)) {}

  bool contains(const reference::BlobKey& key) override { return inner_->contains(key); }
  absl::StatusOr<std::unique_ptr<reference::BlobReader>> open(
      const reference::BlobKey& key) override {
    return inner_->open(key);
  }
  absl::StatusOr<std::unique_ptr<reference::BlobWriter>> create(
      const reference::BlobKey& key) override {
    return inner_->create(key);
  }
  std::vector<absl::Status> write_batch(std::span<const reference::BlobWrite> blobs) override {
    return inner_->write_batch(blobs);
  }
  absl::Status remove(const reference::BlobKey& key) override { return inner_->remove(key); }
  reference::StorageUsage usage() const override { return inner_->usage(); }
  std::string describe() const override { return inner_->describe(); }

 protected:
  reference::Storage& inner() const { return *inner_; }

 private:
  std::unique_ptr<reference::Storage> inner_;
};

}  // namespace faulty
