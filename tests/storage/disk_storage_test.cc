// What is particular to the disk backend: its layout, restarts (clean and kill -9), temp
// files, keys that must never become paths outside the root, and files it did not write.

#include "storage/disk_storage.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <unordered_map>

#include "reapi/digest.h"
#include "test_support.h"

namespace reference::testing {
namespace {
namespace fs = std::filesystem;

constexpr std::int64_t kCapacity = 64 * kMiB;

std::unique_ptr<DiskStorage> open_disk(const fs::path& root, std::int64_t capacity = kCapacity) {
  auto storage = DiskStorage::open(root, capacity);
  EXPECT_TRUE(storage.ok()) << storage.status();
  return storage.ok() ? *std::move(storage) : nullptr;
}

void write_file(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

void set_mtime(const fs::path& path, std::time_t seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

std::time_t mtime_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mtime;
}

TEST(DiskStorage, StoresBlobsWhereTheLayoutSays) {
  TempDir dir;
  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  const BlobKey cas = cas_key_for("hello");
  const BlobKey ac = action_key("main", 1);
  const BlobKey ac_default = action_key("", 1);
  ASSERT_TRUE(write_blob(*storage, cas, "hello").ok());
  ASSERT_TRUE(write_blob(*storage, ac, "result").ok());
  ASSERT_TRUE(write_blob(*storage, ac_default, "default").ok());
  const std::string& h = cas.digest.hash;
  const std::string& a = ac.digest.hash;
  EXPECT_EQ(list_files(dir.path()), (std::vector<std::string>{
                                        "ac/6d61696e/sha256/" + a.substr(0, 2) + "/" + a + "-" +
                                            std::to_string(ac.digest.size_bytes),
                                        "ac/_/sha256/" + a.substr(0, 2) + "/" + a + "-" +
                                            std::to_string(ac.digest.size_bytes),
                                        "cas/sha256/" + h.substr(0, 2) + "/" + h + "-5",
                                        "lock",
                                    }));
  EXPECT_EQ(storage->describe(), "disk:" + dir.path().string() + " (64MiB)");
}

TEST(DiskStorage, RestartKeepsEveryCommittedBlobAndRebuildsUsage) {
  check_property(15, [] {
    TempDir dir;
    std::unordered_map<BlobKey, std::string, BlobKeyHash> expected;
    StorageUsage before;
    {
      auto storage = open_disk(dir.path());
      RC_ASSERT(storage != nullptr);
      const int count = *rc::gen::inRange(1, 8);
      for (int i = 0; i < count; ++i) {
        const std::string data = make_blob(*gen_blob_size(), *rc::gen::arbitrary<std::uint64_t>());
        const BlobKey key =
            *rc::gen::arbitrary<bool>()
                ? cas_key_for(data)
                : action_key(*rc::gen::element<std::string>("", "main", "a/b", "../x"),
                             *rc::gen::inRange<std::uint64_t>(0, 4));
        switch (*rc::gen::inRange(0, 4)) {
          case 0: {  // abandoned: never visible
            auto writer = storage->create(key);
            RC_ASSERT_OK(writer.status());
            RC_ASSERT_OK((*writer)->append(data));
            break;
          }
          case 1:  // written, then removed
            RC_ASSERT_OK(write_blob(*storage, key, data));
            RC_ASSERT_OK(storage->remove(key));
            expected.erase(key);
            break;
          default:
            RC_ASSERT_OK(write_blob(*storage, key, data));
            expected[key] = data;
        }
      }
      before = storage->usage();
    }
    auto storage = open_disk(dir.path());
    RC_ASSERT(storage != nullptr);
    const StorageUsage after = storage->usage();
    RC_ASSERT(after.bytes == before.bytes);
    RC_ASSERT(after.blobs == static_cast<std::int64_t>(expected.size()));
    for (const auto& [key, data] : expected) {
      auto read = read_blob(*storage, key);
      RC_ASSERT_OK(read.status());
      RC_ASSERT(*read == data);
    }
    RC_ASSERT(fs::is_empty(dir.path() / "tmp"));
  });
}

TEST(DiskStorage, KillNineLosesNothingAcknowledgedAndLeavesNoPartialBlob) {
  TempDir dir;
  std::vector<std::string> committed;
  for (int i = 0; i < 5; ++i) committed.push_back(make_blob(30000 + i, i));
  const std::string partial = make_blob(100000, 99);

  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child acknowledges its commits, then dies in the middle of another write.
    auto storage = DiskStorage::open(dir.path(), kCapacity);
    if (!storage.ok()) ::_exit(1);
    for (const std::string& data : committed) {
      if (!write_blob(**storage, cas_key_for(data), data).ok()) ::_exit(2);
    }
    auto writer = (*storage)->create(cas_key_for(partial));
    if (!writer.ok() || !(*writer)->append(partial.substr(0, 50000)).ok()) ::_exit(3);
    if (::write(ready[1], "k", 1) != 1) ::_exit(4);
    ::pause();
    ::_exit(5);
  }
  ::close(ready[1]);
  char byte = 0;
  const bool child_ready = ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
  ::kill(child, SIGKILL);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(child_ready) << "child exited early with status " << wait_status;
  ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);

  // The interrupted write is still there as a temp file ...
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path() / "tmp"), fs::directory_iterator()), 1);
  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  // ... and restart deletes it, keeps every acknowledged blob, and never shows the partial.
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
  std::int64_t bytes = 0;
  for (const std::string& data : committed) {
    EXPECT_EQ(*read_blob(*storage, cas_key_for(data)), data);
    bytes += static_cast<std::int64_t>(data.size());
  }
  EXPECT_FALSE(storage->contains(cas_key_for(partial)));
  EXPECT_EQ(storage->usage().bytes, bytes);
  EXPECT_EQ(storage->usage().blobs, 5);
}

TEST(DiskStorage, WritesInProgressLiveOnlyInTmpAndAbandonedOnesAreDeleted) {
  TempDir dir;
  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  const std::string data = make_blob(5000, 1);
  const BlobKey key = cas_key_for(data);
  {
    auto writer = storage->create(key);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->append(data).ok());
    const auto files = list_files(dir.path());
    ASSERT_EQ(files.size(), 2u);  // the lock and the temp file
    EXPECT_EQ(files[1].rfind("tmp/", 0), 0u) << files[1];
  }
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"lock"});
  ASSERT_TRUE(write_blob(*storage, key, data).ok());
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
}

TEST(DiskStorage, LeftoverTempFilesAreDeletedOnOpen) {
  TempDir dir;
  write_file(dir.path() / "tmp" / "blob-abc123", "half a blob");
  write_file(dir.path() / "tmp" / "odd" / "nested", "x");
  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
  EXPECT_EQ(storage->usage().blobs, 0);
}

TEST(DiskStorage, HashesThatAreNotLowercaseHexNeverBecomePaths) {
  TempDir dir;
  const fs::path root = dir.path() / "store";
  auto storage = open_disk(root);
  ASSERT_NE(storage, nullptr);
  for (const std::string& hash :
       {std::string("../../etc/passwd"), "../../../../" + std::string(52, 'a'),
        std::string(64, 'A'), "/" + std::string(63, 'a'), std::string(63, 'a'),
        std::string(65, 'a'), std::string(), std::string(62, 'a') + "..",
        std::string(60, 'a') + "/../"}) {
    for (const BlobKey& key : {BlobKey::cas(reapi::DigestFunction::sha256, {hash, 4}),
                               BlobKey::action("main", reapi::DigestFunction::sha256, {hash, 4})}) {
      SCOPED_TRACE(key.to_string());
      EXPECT_EQ(storage->create(key).status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(write_blob(*storage, key, "evil").code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(storage->open(key).status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(storage->remove(key).code(), absl::StatusCode::kInvalidArgument);
      EXPECT_FALSE(storage->contains(key));
    }
  }
  // Nothing was created anywhere, inside the root or next to it.
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"store/lock"});
}

TEST(DiskStorage, InstanceNamesAreEncodedSoTheyStayInsideTheRoot) {
  TempDir dir;
  const fs::path root = dir.path() / "store";
  auto storage = open_disk(root);
  ASSERT_NE(storage, nullptr);
  const BlobKey key = action_key("../../escape", 1);
  ASSERT_TRUE(write_blob(*storage, key, "result").ok());
  const auto files = list_files(dir.path());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].rfind("store/ac/2e2e2f2e2e2f657363617065/sha256/", 0), 0u) << files[0];
  // Names too long to encode in one directory name are refused, not truncated.
  EXPECT_EQ(storage->create(action_key(std::string(128, 'i'), 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(write_blob(*storage, action_key(std::string(127, 'i'), 1), "ok").ok());
}

TEST(DiskStorage, FilesWithUnparsableNamesAreIgnoredAndLeftAlone) {
  TempDir dir;
  const std::string good = "content";
  const BlobKey key = cas_key_for(good);
  const std::string& h = key.digest.hash;
  {
    auto storage = open_disk(dir.path());
    ASSERT_NE(storage, nullptr);
    ASSERT_TRUE(write_blob(*storage, key, good).ok());
  }
  const std::vector<std::string> junk = {
      "cas/sha256/" + h.substr(0, 2) + "/garbage",
      "cas/sha256/" + h.substr(0, 2) + "/" + h + "-notanumber",
      "cas/sha256/" + h.substr(0, 2) + "/" + h + "-007",
      "cas/sha256/" + h.substr(0, 2) + "/" + h,
      "cas/sha256/zz/" + h + "-7",
      "cas/sha999/" + h.substr(0, 2) + "/" + h + "-7",
      "cas/sha256/" + h + "-7",
      "ac/not-hex/sha256/" + h.substr(0, 2) + "/" + h + "-7",
      "ac/6d6/sha256/" + h.substr(0, 2) + "/" + h + "-7",
      "cas/README",
  };
  for (const std::string& file : junk) write_file(dir.path() / file, "junk");
  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->usage().blobs, 1);
  EXPECT_EQ(storage->usage().bytes, static_cast<std::int64_t>(good.size()));
  EXPECT_EQ(*read_blob(*storage, key), good);
  for (const std::string& file : junk) EXPECT_TRUE(fs::exists(dir.path() / file)) << file;
}

TEST(DiskStorage, ReopeningWithLessCapacityEvictsTheLeastRecentlyUsed) {
  TempDir dir;
  std::vector<BlobKey> keys;
  {
    auto storage = open_disk(dir.path());
    ASSERT_NE(storage, nullptr);
    for (int i = 0; i < 3; ++i) {
      const std::string data = make_blob(1000, i);
      keys.push_back(cas_key_for(data));
      ASSERT_TRUE(write_blob(*storage, keys.back(), data).ok());
    }
  }
  // Recency comes from modification times: 1 was used last, then 0, then 2.
  const auto path = [&](const BlobKey& key) {
    const std::string& h = key.digest.hash;
    return dir.path() / "cas/sha256" / h.substr(0, 2) / (h + "-1000");
  };
  set_mtime(path(keys[2]), 1'000'000);
  set_mtime(path(keys[0]), 2'000'000);
  set_mtime(path(keys[1]), 3'000'000);
  auto storage = open_disk(dir.path(), 2000);
  ASSERT_NE(storage, nullptr);
  EXPECT_FALSE(fs::exists(path(keys[2])));
  EXPECT_EQ(storage->usage().blobs, 2);
  // Writing a third blob now evicts the older of the remaining two.
  const std::string data = make_blob(1000, 3);
  ASSERT_TRUE(write_blob(*storage, cas_key_for(data), data).ok());
  EXPECT_FALSE(storage->contains(keys[0]));
  EXPECT_TRUE(storage->contains(keys[1]));
}

TEST(DiskStorage, UseRefreshesTheModificationTimeThatRestartsRankBy) {
  TempDir dir;
  auto storage = open_disk(dir.path());
  ASSERT_NE(storage, nullptr);
  const BlobKey key = cas_key_for("x");
  ASSERT_TRUE(write_blob(*storage, key, "x").ok());
  const fs::path file =
      dir.path() / "cas/sha256" / key.digest.hash.substr(0, 2) / (key.digest.hash + "-1");
  set_mtime(file, 1000);
  ASSERT_TRUE(storage->contains(key));
  EXPECT_GT(mtime_of(file), 1000);
  set_mtime(file, 1000);
  ASSERT_TRUE(storage->open(key).ok());
  EXPECT_GT(mtime_of(file), 1000);
}

TEST(DiskStorage, OneStorageAtATimePerRoot) {
  TempDir dir;
  auto first = open_disk(dir.path());
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(DiskStorage::open(dir.path(), kCapacity).status().code(),
            absl::StatusCode::kFailedPrecondition);
  first.reset();
  EXPECT_TRUE(DiskStorage::open(dir.path(), kCapacity).ok());
}

TEST(DiskStorage, BadArgumentsAreRefused) {
  TempDir dir;
  EXPECT_EQ(DiskStorage::open("", kCapacity).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DiskStorage::open(dir.path(), 0).status().code(), absl::StatusCode::kInvalidArgument);
  write_file(dir.path() / "file", "not a directory");
  EXPECT_FALSE(DiskStorage::open(dir.path() / "file" / "store", kCapacity).ok());
}

}  // namespace
}  // namespace reference::testing
