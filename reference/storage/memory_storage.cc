#include "storage/memory_storage.h"

#include <algorithm>
#include <utility>

#include "reapi/byte_size.h"
#include "storage/blob_key_check.h"

namespace reference {
namespace {

absl::Status too_large(const BlobKey& key, std::int64_t capacity) {
  return absl::ResourceExhaustedError("blob " + key.to_string() +
                                      " is larger than the whole memory storage (" +
                                      reapi::format_byte_size(capacity) + ")");
}

class MemoryBlobReader final : public BlobReader {
 public:
  explicit MemoryBlobReader(std::shared_ptr<const std::string> data) : data_(std::move(data)) {}

  std::int64_t size() const override { return static_cast<std::int64_t>(data_->size()); }

  absl::Status read(std::int64_t offset, std::size_t length, std::string& out) override {
    if (offset < 0 || offset > size()) {
      return absl::OutOfRangeError("read offset " + std::to_string(offset) +
                                   " is outside the blob of " + std::to_string(size()) + " bytes");
    }
    const auto start = static_cast<std::size_t>(offset);
    out.append(*data_, start, std::min(length, data_->size() - start));
    return absl::OkStatus();
  }

 private:
  std::shared_ptr<const std::string> data_;
};

}  // namespace

class MemoryBlobWriter final : public BlobWriter {
 public:
  MemoryBlobWriter(MemoryStorage& storage, BlobKey key, std::size_t expected_size)
      : storage_(storage), key_(std::move(key)) {
    buffer_.reserve(expected_size);
  }

  absl::Status append(std::string_view data) override {
    if (spent_) return absl::FailedPreconditionError("append after commit");
    if (!failed_.ok()) return failed_;
    if (static_cast<std::int64_t>(buffer_.size() + data.size()) > storage_.capacity_) {
      failed_ = too_large(key_, storage_.capacity_);
      buffer_ = std::string();  // give the memory back now
      return failed_;
    }
    buffer_.append(data);
    return absl::OkStatus();
  }

  std::int64_t size() const override { return static_cast<std::int64_t>(buffer_.size()); }

  absl::Status commit() override {
    if (std::exchange(spent_, true)) return absl::FailedPreconditionError("commit twice");
    if (!failed_.ok()) return failed_;
    storage_.publish(key_, std::make_shared<const std::string>(std::move(buffer_)));
    return absl::OkStatus();
  }

 private:
  MemoryStorage& storage_;
  const BlobKey key_;
  std::string buffer_;
  absl::Status failed_;
  bool spent_ = false;
};

MemoryStorage::MemoryStorage(std::int64_t capacity_bytes) : capacity_(capacity_bytes) {}

bool MemoryStorage::contains(const BlobKey& key) {
  if (!validate_key(key).ok()) return false;
  std::lock_guard lock(mutex_);
  return index_.touch(key) != nullptr;
}

absl::StatusOr<std::unique_ptr<BlobReader>> MemoryStorage::open(const BlobKey& key) {
  if (auto status = validate_key(key); !status.ok()) return status;
  std::shared_ptr<const std::string> data;
  {
    std::lock_guard lock(mutex_);
    auto* entry = index_.touch(key);
    if (entry == nullptr) return absl::NotFoundError("blob " + key.to_string() + " not found");
    data = entry->value;
  }
  return std::make_unique<MemoryBlobReader>(std::move(data));
}

absl::StatusOr<std::unique_ptr<BlobWriter>> MemoryStorage::create(const BlobKey& key) {
  if (auto status = validate_key(key); !status.ok()) return status;
  std::int64_t expected = 0;
  if (key.space == Space::cas) {
    if (key.digest.size_bytes > capacity_) return too_large(key, capacity_);
    expected = key.digest.size_bytes;
  }
  return std::make_unique<MemoryBlobWriter>(*this, key, static_cast<std::size_t>(expected));
}

absl::Status MemoryStorage::remove(const BlobKey& key) {
  if (auto status = validate_key(key); !status.ok()) return status;
  std::shared_ptr<const std::string> dropped;  // freed after the lock is released
  std::lock_guard lock(mutex_);
  if (auto entry = index_.erase(key)) dropped = std::move(entry->value);
  return absl::OkStatus();
}

StorageUsage MemoryStorage::usage() const {
  std::lock_guard lock(mutex_);
  return StorageUsage{index_.bytes(), index_.count(), capacity_};
}

std::string MemoryStorage::describe() const {
  return "memory (" + reapi::format_byte_size(capacity_) + ")";
}

void MemoryStorage::publish(const BlobKey& key, std::shared_ptr<const std::string> data) {
  const auto size = static_cast<std::int64_t>(data->size());
  std::lock_guard lock(mutex_);
  index_.put(key, std::move(data), size);
  index_.evict_to(capacity_, &key, [](const BlobKey&, auto&) {});
}

}  // namespace reference
