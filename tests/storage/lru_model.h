#pragma once
// The reference LRU the bounded backends are checked against: what a backend must hold
// after each operation.

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

#include "storage/storage.h"

namespace reference::testing {

class LruModel {
 public:
  explicit LruModel(std::int64_t capacity) : capacity_(capacity) {}

  void put(const BlobKey& key, std::string data) {
    erase(key);
    bytes_ += static_cast<std::int64_t>(data.size());
    order_.push_front(key);
    blobs_[key] = {std::move(data), order_.begin()};
    while (bytes_ > capacity_ && !(order_.back() == key)) erase(order_.back());
  }
  const std::string* touch(const BlobKey& key) {
    auto it = blobs_.find(key);
    if (it == blobs_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.position);
    return &it->second.data;
  }
  void erase(BlobKey key) {
    auto it = blobs_.find(key);
    if (it == blobs_.end()) return;
    bytes_ -= static_cast<std::int64_t>(it->second.data.size());
    order_.erase(it->second.position);
    blobs_.erase(it);
  }
  std::int64_t bytes() const { return bytes_; }
  std::int64_t count() const { return static_cast<std::int64_t>(blobs_.size()); }

 private:
  struct Blob {
    std::string data;
    std::list<BlobKey>::iterator position;
  };
  std::int64_t capacity_;
  std::int64_t bytes_ = 0;
  std::list<BlobKey> order_;  // front: most recently used
  std::unordered_map<BlobKey, Blob, BlobKeyHash> blobs_;
};

}  // namespace reference::testing
