// Faults seen only with several clients at once: a FindMissingBlobs whose "missing"
// answers are cached and outlive the uploads that make them false. (Uploads visible
// before they are verified, and racing uploads that fail, are in
// bytestream_write_faults.cc.)

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;
using Clock = std::chrono::steady_clock;

std::string key_of(const std::string& instance, const v2::Digest& digest) {
  return instance + "|" + digest.hash() + "/" + std::to_string(digest.size_bytes());
}

// When each digest was last reported missing, kept for a while and never invalidated by
// uploads: a negative cache in front of the storage.
class MissingCache {
 public:
  explicit MissingCache(Clock::duration ttl) : ttl_(ttl) {}

  void remember(const std::string& key) {
    std::lock_guard lock(mu_);
    seen_.try_emplace(key, Clock::now());
  }
  bool cached(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = seen_.find(key);
    if (it == seen_.end()) return false;
    if (Clock::now() - it->second < ttl_) return true;
    seen_.erase(it);
    return false;
  }

 private:
  const Clock::duration ttl_;
  std::mutex mu_;
  std::map<std::string, Clock::time_point> seen_;
};

// FindMissingBlobs lists a digest it reported missing in the last few seconds, even if it
// was uploaded since (CAS-FMB-01: an acknowledged upload is never missing).
class StaleMissing final
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
 public:
  explicit StaleMissing(std::shared_ptr<MissingCache> cache) : cache_(std::move(cache)) {}

 private:
  void on_request(v2::FindMissingBlobsRequest& request) override {
    instance_ = request.instance_name();
    asked_.assign(request.blob_digests().begin(), request.blob_digests().end());
  }
  bool on_response(v2::FindMissingBlobsResponse& response) override {
    std::set<std::string> listed;
    for (const auto& d : response.missing_blob_digests()) {
      listed.insert(key_of(instance_, d));
      cache_->remember(key_of(instance_, d));
    }
    bool changed = false;
    for (const auto& d : asked_) {
      const std::string key = key_of(instance_, d);
      if (listed.contains(key) || !cache_->cached(key)) continue;
      *response.add_missing_blob_digests() = d;
      listed.insert(key);
      changed = true;
    }
    return changed;
  }

  std::shared_ptr<MissingCache> cache_;
  std::string instance_;
  std::vector<v2::Digest> asked_;
};

FaultPlan stale_missing() {
  FaultPlan plan;
  auto cache = std::make_shared<MissingCache>(std::chrono::seconds(5));
  plan.interceptor = per_call<StaleMissing>(method::kFindMissingBlobs, cache);
  return plan;
}

}  // namespace

std::vector<FaultEntry> concurrency_faults() {
  return {
      {.name = "find-missing-negative-cache",
       .description = "FindMissingBlobs caches 'missing' answers for 5 s and uploads do not "
                      "invalidate them",
       .make = stale_missing,
       .expect = {.filter = "concurrency.find_missing_during_uploads",
                  .fails = {"concurrency.find_missing_during_uploads"}}},
  };
}

}  // namespace faulty
