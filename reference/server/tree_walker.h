#pragma once
// GetTree's work: the Directories reachable from a root, breadth-first with the root first
// (CAS-TREE-04 allows any order; parent-first is what clients that assume one assume),
// each digest once. Missing subtrees are left out (CAS-TREE-03). Complete walks are cached
// per root for a while (the seed's tree cache: --tree-cache-size, --tree-cache-ttl-minutes).

#include <absl/status/statusor.h>

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "server/cas.h"

namespace reference {

using Directories = std::vector<build::bazel::remote::execution::v2::Directory>;

// NOT_FOUND for a missing root, INVALID_ARGUMENT when a blob is not a Directory.
// `complete` is false when some referenced Directory was missing.
struct TreeWalk {
  std::shared_ptr<const Directories> directories;
  bool complete = true;
};
absl::StatusOr<TreeWalk> walk_tree(Cas& cas, reapi::DigestFunction fn, const reapi::Digest& root);

class TreeCache {
 public:
  TreeCache(std::size_t capacity, std::chrono::steady_clock::duration ttl);
  std::shared_ptr<const Directories> find(reapi::DigestFunction fn, const reapi::Digest& root);
  void put(reapi::DigestFunction fn, const reapi::Digest& root,
           std::shared_ptr<const Directories> directories);

 private:
  struct Entry {
    std::shared_ptr<const Directories> directories;
    std::chrono::steady_clock::time_point expires;
    std::list<std::string>::iterator lru;
  };
  std::size_t capacity_;
  std::chrono::steady_clock::duration ttl_;
  std::mutex mutex_;
  std::list<std::string> lru_;  // most recent first
  std::unordered_map<std::string, Entry> entries_;
};

// Page tokens name an offset into a root's walk and carry a MAC under a per-process
// secret, so a token this server did not issue is refused (CAS-TREE-10).
class PageTokens {
 public:
  PageTokens();
  std::string issue(reapi::DigestFunction fn, const reapi::Digest& root, std::size_t offset) const;
  // INVALID_ARGUMENT for a token not issued for this root by this process.
  absl::StatusOr<std::size_t> redeem(reapi::DigestFunction fn, const reapi::Digest& root,
                                     const std::string& token) const;

 private:
  std::string mac(reapi::DigestFunction fn, const reapi::Digest& root, std::size_t offset) const;
  std::string secret_;
};

}  // namespace reference
