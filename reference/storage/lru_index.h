#pragma once
// The bookkeeping both bounded backends share: which keys are stored, how many bytes each
// takes, and their order of last use. Not thread-safe; the owning backend locks around it.

#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

#include "storage/storage.h"

namespace reference {

template <typename Value>
class LruIndex {
 public:
  struct Entry {
    Value value;
    std::int64_t size = 0;
  };

  // The entry under `key`, now the most recently used; nullptr when absent.
  Entry* touch(const BlobKey& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.position);
    return &it->second.entry;
  }

  // Inserts or replaces `key`, which becomes the most recently used.
  void put(const BlobKey& key, Value value, std::int64_t size) {
    auto [it, inserted] = map_.try_emplace(key);
    if (!inserted) {
      bytes_ -= it->second.entry.size;
      order_.erase(it->second.position);
    }
    it->second.entry = Entry{std::move(value), size};
    bytes_ += size;
    order_.push_front(&it->first);  // node keys are stable across rehashing
    it->second.position = order_.begin();
  }

  // Removes `key`, returning its entry if it was present.
  std::optional<Entry> erase(const BlobKey& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return remove(it);
  }

  // Drops least recently used entries until at most `capacity` bytes remain, never `keep`
  // (the blob just committed). `on_evict(key, entry)` runs before each entry is dropped.
  template <typename OnEvict>
  void evict_to(std::int64_t capacity, const BlobKey* keep, OnEvict&& on_evict) {
    while (bytes_ > capacity && !order_.empty()) {
      const BlobKey& victim = *order_.back();
      if (keep != nullptr && victim == *keep) break;  // only `keep` is left
      auto it = map_.find(victim);
      on_evict(it->first, it->second.entry);
      remove(it);
    }
  }

  bool contains(const BlobKey& key) const { return map_.contains(key); }
  std::int64_t bytes() const { return bytes_; }
  std::int64_t count() const { return static_cast<std::int64_t>(map_.size()); }

 private:
  struct Node {
    Entry entry;
    typename std::list<const BlobKey*>::iterator position;
  };
  using Map = std::unordered_map<BlobKey, Node, BlobKeyHash>;

  Entry remove(typename Map::iterator it) {
    Entry entry = std::move(it->second.entry);
    bytes_ -= entry.size;
    order_.erase(it->second.position);
    map_.erase(it);
    return entry;
  }

  Map map_;
  std::list<const BlobKey*> order_;  // front: most recently used
  std::int64_t bytes_ = 0;
};

}  // namespace reference
