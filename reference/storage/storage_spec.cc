#include "storage/storage_spec.h"

#include <algorithm>
#include <string>

#include "reapi/byte_size.h"
#include "storage/caching_storage.h"
#include "storage/disk_storage.h"
#include "storage/memory_storage.h"

namespace reference {
namespace {

constexpr std::string_view kForms =
    "expected memory:SIZE, disk:PATH:SIZE or cache:FRONT,BACK (e.g. memory:2GiB, "
    "disk:/var/cas:50GiB, cache:memory:256MiB,disk:/var/cas:50GiB)";

// Blobs a cache front takes: small ones only, so that one large read cannot flush it.
constexpr std::int64_t kMaxCachedBlobBytes = std::int64_t{4} << 20;

absl::Status bad_spec(std::string_view spec, std::string_view why) {
  return absl::InvalidArgumentError("storage spec '" + std::string(spec) +
                                    "': " + std::string(why));
}

absl::StatusOr<std::int64_t> parse_capacity(std::string_view spec, std::string_view text) {
  if (text.empty()) return bad_spec(spec, "the size is missing");
  auto size = reapi::parse_byte_size(text);
  if (!size.ok()) return bad_spec(spec, std::string(size.status().message()));
  if (*size <= 0) return bad_spec(spec, "the size must be more than 0 bytes");
  return *size;
}

absl::StatusOr<std::unique_ptr<Storage>> open_memory(std::string_view spec,
                                                     std::string_view size_text) {
  auto capacity = parse_capacity(spec, size_text);
  if (!capacity.ok()) return capacity.status();
  return std::make_unique<MemoryStorage>(*capacity);
}

absl::StatusOr<std::unique_ptr<Storage>> open_disk(std::string_view spec,
                                                   std::string_view path_and_size) {
  const auto colon = path_and_size.rfind(':');
  if (colon == std::string_view::npos) {
    return bad_spec(spec, "disk needs PATH:SIZE, e.g. disk:/var/cas:50GiB");
  }
  const std::string_view path = path_and_size.substr(0, colon);
  if (path.empty()) return bad_spec(spec, "the disk path is empty");
  if (path.front() != '/') return bad_spec(spec, "the disk path must be absolute");
  auto capacity = parse_capacity(spec, path_and_size.substr(colon + 1));
  if (!capacity.ok()) return capacity.status();
  auto storage = DiskStorage::open(std::string(path), *capacity);
  if (!storage.ok()) return storage.status();
  return std::unique_ptr<Storage>(*std::move(storage));
}

absl::StatusOr<std::unique_ptr<Storage>> open_cache(std::string_view spec,
                                                    std::string_view front_and_back) {
  const auto comma = front_and_back.find(',');
  if (comma == std::string_view::npos) {
    return bad_spec(spec, "cache needs FRONT,BACK, e.g. cache:memory:256MiB,disk:/var/cas:50GiB");
  }
  auto front = open_storage(front_and_back.substr(0, comma));
  if (!front.ok()) return bad_spec(spec, "front: " + std::string(front.status().message()));
  auto back = open_storage(front_and_back.substr(comma + 1));
  if (!back.ok()) return bad_spec(spec, "back: " + std::string(back.status().message()));
  // A blob larger than an eighth of the front would evict too much of it.
  const std::int64_t max_cached = std::min(kMaxCachedBlobBytes, (*front)->usage().capacity / 8);
  return std::make_unique<CachingStorage>(*std::move(front), *std::move(back), max_cached);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Storage>> open_storage(std::string_view spec) {
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) {
    return bad_spec(spec, spec.empty() ? "empty; " + std::string(kForms)
                                       : "no ':' after the backend; " + std::string(kForms));
  }
  const std::string_view backend = spec.substr(0, colon);
  const std::string_view rest = spec.substr(colon + 1);
  if (backend == "memory") return open_memory(spec, rest);
  if (backend == "disk") return open_disk(spec, rest);
  if (backend == "cache") return open_cache(spec, rest);
  return bad_spec(spec, "unknown backend '" + std::string(backend) + "'; " + std::string(kForms));
}

}  // namespace reference
