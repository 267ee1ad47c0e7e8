#include "storage/storage.h"

namespace reference {

std::string BlobKey::to_string() const {
  std::string out = space == Space::cas ? "cas:" : "ac[" + instance_name + "]:";
  out += reapi::name(function);
  out += ':';
  out += digest.to_string();
  return out;
}

BlobKey BlobKey::cas(reapi::DigestFunction fn, reapi::Digest digest) {
  return BlobKey{Space::cas, {}, fn, std::move(digest)};
}

BlobKey BlobKey::action(std::string instance, reapi::DigestFunction fn, reapi::Digest digest) {
  return BlobKey{Space::action_cache, std::move(instance), fn, std::move(digest)};
}

std::size_t BlobKeyHash::operator()(const BlobKey& key) const {
  std::size_t h = std::hash<std::string>{}(key.digest.hash);
  h ^= std::hash<std::int64_t>{}(key.digest.size_bytes) + 0x9e3779b97f4a7c15ULL + (h << 6);
  h ^= std::hash<std::string>{}(key.instance_name) + (h >> 2);
  h ^= static_cast<std::size_t>(key.function) * 31 + static_cast<std::size_t>(key.space);
  return h;
}

std::vector<absl::Status> Storage::write_batch(std::span<const BlobWrite> blobs) {
  std::vector<absl::Status> statuses;
  statuses.reserve(blobs.size());
  for (const BlobWrite& blob : blobs) statuses.push_back(write_blob(*this, blob.key, blob.data));
  return statuses;
}

absl::StatusOr<std::string> read_all(BlobReader& reader) {
  std::string out;
  out.reserve(static_cast<std::size_t>(reader.size()));
  if (auto s = reader.read(0, static_cast<std::size_t>(reader.size()), out); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> read_blob(Storage& storage, const BlobKey& key) {
  auto reader = storage.open(key);
  if (!reader.ok()) return reader.status();
  return read_all(**reader);
}

absl::Status write_blob(Storage& storage, const BlobKey& key, std::string_view data) {
  auto writer = storage.create(key);
  if (!writer.ok()) return writer.status();
  if (auto s = (*writer)->append(data); !s.ok()) return s;
  return (*writer)->commit();
}

}  // namespace reference
