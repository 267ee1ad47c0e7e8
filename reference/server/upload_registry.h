#pragma once
// Uploads in progress, by resource name, so that QueryWriteStatus can report how far one
// got and a broken Write can resume where it stopped (BS-WRITE-13, BS-QWS-*). A stream
// claims its upload exclusively; when the stream breaks the upload is parked here for a
// while. Parked uploads are bounded in number and expire when idle.

#include <absl/status/statusor.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "server/cas.h"

namespace reference {

class UploadRegistry {
 public:
  UploadRegistry(std::size_t max_uploads, std::chrono::steady_clock::duration idle_ttl);

  struct Claim {
    // The parked upload to resume, or null for a new one.
    std::unique_ptr<VerifiedUpload> upload;
    // Bytes committed so far; the stream keeps it current for QueryWriteStatus.
    std::shared_ptr<std::atomic<std::int64_t>> progress;
  };
  // ABORTED when another stream is writing the same resource; RESOURCE_EXHAUSTED when too
  // many uploads are in progress.
  absl::StatusOr<Claim> claim(const std::string& name);
  // Gives a broken stream's upload back for resumption (null: forget the name).
  void park(const std::string& name, std::unique_ptr<VerifiedUpload> upload);
  // Forgets the name (upload finished or failed for good).
  void release(const std::string& name);
  // Bytes committed for an upload in progress or parked; nullopt when unknown.
  std::optional<std::int64_t> progress(const std::string& name);

 private:
  struct Entry {
    std::unique_ptr<VerifiedUpload> parked;  // null while a stream holds it
    std::shared_ptr<std::atomic<std::int64_t>> progress;
    bool active = false;
    std::chrono::steady_clock::time_point touched;
  };
  void expire_locked(std::chrono::steady_clock::time_point now);

  const std::size_t max_uploads_;
  const std::chrono::steady_clock::duration idle_ttl_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace reference
