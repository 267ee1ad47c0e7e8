#include "server/tree_walker.h"

#include <openssl/rand.h>

#include <charconv>
#include <deque>
#include <unordered_set>

namespace reference {
namespace v2 = build::bazel::remote::execution::v2;

absl::StatusOr<TreeWalk> walk_tree(Cas& cas, reapi::DigestFunction fn, const reapi::Digest& root) {
  auto directories = std::make_shared<Directories>();
  TreeWalk walk;
  std::unordered_set<std::string> seen{root.to_string()};
  std::deque<reapi::Digest> queue{root};
  while (!queue.empty()) {
    const reapi::Digest digest = std::move(queue.front());
    queue.pop_front();
    auto bytes = cas.read(fn, digest);
    if (!bytes.ok()) {
      if (!absl::IsNotFound(bytes.status())) return bytes.status();
      if (directories->empty()) {
        return absl::NotFoundError("root directory " + digest.to_string() + " is not in the CAS");
      }
      walk.complete = false;  // a missing subtree is skipped (CAS-TREE-03)
      continue;
    }
    v2::Directory directory;
    if (!directory.ParseFromString(*bytes)) {
      return absl::InvalidArgumentError("blob " + digest.to_string() +
                                        " is not a serialized Directory");
    }
    for (const auto& child : directory.directories()) {
      reapi::Digest d = reapi::from_proto(child.digest());
      if (auto s = reapi::validate_digest(fn, d); !s.ok()) {
        return absl::InvalidArgumentError("directory " + digest.to_string() + " entry '" +
                                          child.name() + "': " + std::string(s.message()));
      }
      if (seen.insert(d.to_string()).second) queue.push_back(std::move(d));
    }
    directories->push_back(std::move(directory));
  }
  walk.directories = std::move(directories);
  return walk;
}

TreeCache::TreeCache(std::size_t capacity, std::chrono::steady_clock::duration ttl)
    : capacity_(capacity), ttl_(ttl) {}

namespace {
std::string cache_key(reapi::DigestFunction fn, const reapi::Digest& root) {
  return std::string(reapi::name(fn)) + ":" + root.to_string();
}
}  // namespace

std::shared_ptr<const Directories> TreeCache::find(reapi::DigestFunction fn,
                                                   const reapi::Digest& root) {
  if (capacity_ == 0) return nullptr;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(cache_key(fn, root));
  if (it == entries_.end()) return nullptr;
  if (std::chrono::steady_clock::now() >= it->second.expires) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.directories;
}

void TreeCache::put(reapi::DigestFunction fn, const reapi::Digest& root,
                    std::shared_ptr<const Directories> directories) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  std::string key = cache_key(fn, root);
  if (auto it = entries_.find(key); it != entries_.end()) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  lru_.push_front(key);
  entries_.emplace(std::move(key), Entry{std::move(directories),
                                         std::chrono::steady_clock::now() + ttl_, lru_.begin()});
  while (entries_.size() > capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
}

PageTokens::PageTokens() : secret_(32, '\0') {
  RAND_bytes(reinterpret_cast<unsigned char*>(secret_.data()), static_cast<int>(secret_.size()));
}

std::string PageTokens::mac(reapi::DigestFunction fn, const reapi::Digest& root,
                            std::size_t offset) const {
  const std::string input = secret_ + "|" + cache_key(fn, root) + "|" + std::to_string(offset);
  return reapi::hash_hex(reapi::DigestFunction::sha256, input).substr(0, 24);
}

std::string PageTokens::issue(reapi::DigestFunction fn, const reapi::Digest& root,
                              std::size_t offset) const {
  return std::to_string(offset) + "." + mac(fn, root, offset);
}

absl::StatusOr<std::size_t> PageTokens::redeem(reapi::DigestFunction fn, const reapi::Digest& root,
                                               const std::string& token) const {
  const auto dot = token.find('.');
  std::size_t offset = 0;
  const char* end = token.data() + (dot == std::string::npos ? 0 : dot);
  const auto parsed = std::from_chars(token.data(), end, offset);
  if (dot == std::string::npos || dot == 0 || parsed.ec != std::errc() || parsed.ptr != end ||
      token.substr(dot + 1) != mac(fn, root, offset)) {
    return absl::InvalidArgumentError("page_token '" + token.substr(0, 100) +
                                      "' was not issued by this server for this root "
                                      "(tokens do not survive a restart)");
  }
  return offset;
}

}  // namespace reference
