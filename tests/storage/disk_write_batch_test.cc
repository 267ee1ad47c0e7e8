// What write_batch() and large streamed writes promise on disk in particular: every blob
// acknowledged is there for the next DiskStorage on the root, a failed blob leaves no file
// behind, and no temp file outlives the call.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "reapi/digest.h"
#include "storage/disk_storage.h"
#include "test_support.h"

namespace reference::testing {
namespace {
namespace fs = std::filesystem;

constexpr std::int64_t kCapacity = 4 * kMiB;

std::unique_ptr<DiskStorage> open_disk(const fs::path& root) {
  auto storage = DiskStorage::open(root, kCapacity);
  EXPECT_TRUE(storage.ok()) << storage.status();
  return storage.ok() ? *std::move(storage) : nullptr;
}

fs::path shard_dir(const fs::path& root, const BlobKey& key) {
  return root / "cas/sha256" / key.digest.hash.substr(0, 2);
}

TEST(DiskWriteBatch, AcknowledgedBlobsAreThereAfterReopeningAndNothingElseIs) {
  TempDir dir;
  std::unordered_map<BlobKey, std::string, BlobKeyHash> stored;
  std::vector<std::pair<BlobKey, std::string>> blobs;
  // More blobs than the backend handles in one slice, across many directories.
  for (std::uint64_t i = 0; i < 300; ++i) {
    std::string data = make_blob(i % 7 == 0 ? 0 : (i * 37) % 5000, i);
    const BlobKey key = i % 3 == 0 ? action_key(i % 2 ? "main" : "", i) : cas_key_for(data);
    blobs.emplace_back(key, std::move(data));
  }
  blobs.emplace_back(BlobKey::cas(reapi::DigestFunction::sha256, {"../evil", 4}), "evil");
  blobs.emplace_back(action_key("main", 1000), make_blob(kCapacity + 1, 1));
  std::vector<BlobWrite> writes;
  for (const auto& [key, data] : blobs) writes.push_back(BlobWrite{key, data});
  {
    auto storage = open_disk(dir.path());
    ASSERT_NE(storage, nullptr);
    const std::vector<absl::Status> statuses = storage->write_batch(writes);
    ASSERT_EQ(statuses.size(), blobs.size());
    for (std::size_t i = 0; i + 2 < blobs.size(); ++i) {
      ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i];
      stored[blobs[i].first] = blobs[i].second;
    }
    EXPECT_EQ(statuses[300].code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(statuses[301].code(), absl::StatusCode::kResourceExhausted);
    EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
    // One file per blob stored, and the lock.
    EXPECT_EQ(list_files(dir.path()).size(), stored.size() + 1);
  }
  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  std::int64_t bytes = 0;
  for (const auto& [key, data] : stored) {
    auto read = read_blob(*storage, key);
    ASSERT_TRUE(read.ok()) << key.to_string() << ": " << read.status();
    EXPECT_EQ(*read, data);
    bytes += static_cast<std::int64_t>(data.size());
  }
  EXPECT_EQ(storage->usage().blobs, static_cast<std::int64_t>(stored.size()));
  EXPECT_EQ(storage->usage().bytes, bytes);
  EXPECT_FALSE(storage->contains(action_key("main", 1000)));
}

TEST(DiskWriteBatch, AnIoErrorFailsOnlyItsOwnBlobAndLeavesNothingBehind) {
  TempDir dir;
  const std::string doomed = make_blob(100, 1);
  const BlobKey doomed_key = cas_key_for(doomed);
  // Blobs whose directories differ from the doomed one's.
  std::vector<std::string> good;
  for (std::uint64_t seed = 2; good.size() < 4; ++seed) {
    std::string data = make_blob(100, seed);
    if (shard_dir(dir.path(), cas_key_for(data)) != shard_dir(dir.path(), doomed_key)) {
      good.push_back(std::move(data));
    }
  }
  // A file where the doomed blob's directory should be makes its rename fail.
  const fs::path blocker = shard_dir(dir.path(), doomed_key);
  fs::create_directories(blocker.parent_path());
  std::ofstream(blocker) << "in the way";

  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  const std::vector<BlobWrite> writes = {
      {cas_key_for(good[0]), good[0]}, {cas_key_for(good[1]), good[1]}, {doomed_key, doomed},
      {cas_key_for(good[2]), good[2]}, {cas_key_for(good[3]), good[3]},
  };
  const std::vector<absl::Status> statuses = storage->write_batch(writes);
  ASSERT_EQ(statuses.size(), writes.size());
  for (std::size_t i = 0; i < writes.size(); ++i) {
    EXPECT_EQ(statuses[i].ok(), i != 2) << i << ": " << statuses[i];
  }
  EXPECT_FALSE(storage->contains(doomed_key));
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
  EXPECT_EQ(list_files(dir.path()).size(), good.size() + 2);  // the blobs, lock, blocker
  storage.reset();
  storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  for (const std::string& data : good) EXPECT_EQ(*read_blob(*storage, cas_key_for(data)), data);
  EXPECT_EQ(storage->usage().blobs, 4);
}

TEST(DiskWriteBatch, LargeStreamedWritesStartingWritebackEarlyReadBackIntact) {
  TempDir dir;
  // Several writeback chunks (8 MiB) and a tail, appended in uneven pieces.
  const std::string data = make_blob(20 * kMiB + 12345, 7);
  const BlobKey key = cas_key_for(data);
  {
    auto storage = DiskStorage::open(dir.path(), 64 * kMiB);
    ASSERT_TRUE(storage.ok()) << storage.status();
    auto writer = (*storage)->create(key);
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (std::size_t at = 0; at < data.size(); at += 3 * kMiB + 1) {
      ASSERT_TRUE((*writer)->append(std::string_view(data).substr(at, 3 * kMiB + 1)).ok());
    }
    ASSERT_TRUE((*writer)->commit().ok());
  }
  auto storage = DiskStorage::open(dir.path(), 64 * kMiB);
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_EQ(*read_blob(**storage, key), data);
}

}  // namespace
}  // namespace reference::testing
