#include "server/upload_registry.h"

#include <algorithm>

namespace reference {

UploadRegistry::UploadRegistry(std::size_t max_uploads,
                               std::chrono::steady_clock::duration idle_ttl)
    : max_uploads_(max_uploads), idle_ttl_(idle_ttl) {}

void UploadRegistry::expire_locked(std::chrono::steady_clock::time_point now) {
  std::erase_if(entries_, [&](const auto& item) {
    return !item.second.active && now - item.second.touched > idle_ttl_;
  });
  // Still full: drop the longest-idle parked upload to make room.
  while (entries_.size() >= max_uploads_) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (!it->second.active &&
          (oldest == entries_.end() || it->second.touched < oldest->second.touched)) {
        oldest = it;
      }
    }
    if (oldest == entries_.end()) return;
    entries_.erase(oldest);
  }
}

absl::StatusOr<UploadRegistry::Claim> UploadRegistry::claim(const std::string& name) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(name); it != entries_.end()) {
    if (it->second.active) {
      return absl::AbortedError("another stream is writing " + name + " right now");
    }
    it->second.active = true;
    it->second.touched = now;
    return Claim{std::move(it->second.parked), it->second.progress};
  }
  expire_locked(now);
  if (entries_.size() >= max_uploads_) {
    return absl::ResourceExhaustedError("too many uploads in progress (" +
                                        std::to_string(max_uploads_) + "); retry later");
  }
  auto progress = std::make_shared<std::atomic<std::int64_t>>(0);
  entries_.emplace(name, Entry{nullptr, progress, true, now});
  return Claim{nullptr, progress};
}

void UploadRegistry::park(const std::string& name, std::unique_ptr<VerifiedUpload> upload) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  if (!upload) {
    entries_.erase(it);
    return;
  }
  it->second.progress->store(upload->size());
  it->second.parked = std::move(upload);
  it->second.active = false;
  it->second.touched = std::chrono::steady_clock::now();
}

void UploadRegistry::release(const std::string& name) {
  std::lock_guard lock(mutex_);
  entries_.erase(name);
}

std::optional<std::int64_t> UploadRegistry::progress(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.progress->load();
}

}  // namespace reference
