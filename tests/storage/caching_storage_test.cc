// What the read-through cache adds on top of the contract: which blobs it copies to the
// front, and that the back alone decides what is stored.

#include "storage/caching_storage.h"

#include <gtest/gtest.h>

#include "storage/memory_storage.h"
#include "test_support.h"

namespace reference::testing {
namespace {

constexpr std::int64_t kMaxCached = 1000;

class CachingStorageTest : public ::testing::Test {
 protected:
  CachingStorageTest()
      : cache_(std::make_unique<MemoryStorage>(10 * kKiB),
               std::make_unique<MemoryStorage>(100 * kKiB), kMaxCached) {}

  CachingStorage cache_;
};

TEST_F(CachingStorageTest, ReadsCopySmallBlobsFromBackToFront) {
  const std::string small = make_blob(kMaxCached, 1);
  const std::string large = make_blob(kMaxCached + 1, 2);
  ASSERT_TRUE(write_blob(cache_.back(), cas_key_for(small), small).ok());
  ASSERT_TRUE(write_blob(cache_.back(), cas_key_for(large), large).ok());
  EXPECT_EQ(*read_blob(cache_, cas_key_for(small)), small);
  EXPECT_EQ(*read_blob(cache_, cas_key_for(large)), large);
  EXPECT_TRUE(cache_.front().contains(cas_key_for(small)));
  EXPECT_FALSE(cache_.front().contains(cas_key_for(large)));
  EXPECT_EQ(*read_blob(cache_, cas_key_for(small)), small);
}

TEST_F(CachingStorageTest, WritesGoToBackAndSmallCasBlobsAlsoToFront) {
  const std::string small = make_blob(100, 1);
  const std::string large = make_blob(5000, 2);
  ASSERT_TRUE(write_blob(cache_, cas_key_for(small), small).ok());
  ASSERT_TRUE(write_blob(cache_, cas_key_for(large), large).ok());
  EXPECT_TRUE(cache_.back().contains(cas_key_for(small)));
  EXPECT_TRUE(cache_.back().contains(cas_key_for(large)));
  EXPECT_TRUE(cache_.front().contains(cas_key_for(small)));
  EXPECT_FALSE(cache_.front().contains(cas_key_for(large)));
  // A CAS key whose declared size is small but whose writer receives more is not copied.
  const std::string lying = make_blob(2 * kMaxCached, 3);
  BlobKey key = cas_key_for("short");
  ASSERT_TRUE(write_blob(cache_, key, lying).ok());
  EXPECT_FALSE(cache_.front().contains(key));
}

TEST_F(CachingStorageTest, BatchWritesGoToBackAndSmallCasBlobsAlsoToFront) {
  const std::string small = make_blob(100, 1);
  const std::string large = make_blob(5000, 2);
  const std::string lying = make_blob(2 * kMaxCached, 3);
  const BlobKey action = action_key("main", 1);
  const BlobKey bad = BlobKey::cas(reapi::DigestFunction::sha256, {"not hex", 3});
  const std::vector<BlobWrite> writes = {
      {cas_key_for(small), small},   {cas_key_for(large), large}, {action, "result"}, {bad, "bad"},
      {cas_key_for("short"), lying},
  };
  const std::vector<absl::Status> statuses = cache_.write_batch(writes);
  ASSERT_EQ(statuses.size(), writes.size());
  for (std::size_t i = 0; i < writes.size(); ++i) {
    EXPECT_EQ(statuses[i].ok(), i != 3) << i << ": " << statuses[i];
    EXPECT_EQ(cache_.back().contains(writes[i].key), i != 3) << i;
    // Only the small CAS blob is copied; whatever size a key declares, copies stay small.
    EXPECT_EQ(cache_.front().contains(writes[i].key), i == 0) << i;
  }
  EXPECT_EQ(*read_blob(cache_.front(), cas_key_for(small)), small);
}

TEST_F(CachingStorageTest, ActionCacheEntriesAreNeverCopiedToFront) {
  const BlobKey key = action_key("main", 1);
  ASSERT_TRUE(write_blob(cache_, key, "first").ok());
  ASSERT_TRUE(write_blob(cache_, key, "second").ok());
  EXPECT_EQ(*read_blob(cache_, key), "second");
  EXPECT_FALSE(cache_.front().contains(key));
  EXPECT_EQ(*read_blob(cache_.back(), key), "second");
}

TEST_F(CachingStorageTest, BackAloneDecidesWhatIsStored) {
  const std::string data = make_blob(100, 1);
  const BlobKey key = cas_key_for(data);
  ASSERT_TRUE(write_blob(cache_, key, data).ok());
  ASSERT_TRUE(cache_.front().contains(key));
  // Gone from back (as if evicted there): the copy in front is not served.
  ASSERT_TRUE(cache_.back().remove(key).ok());
  EXPECT_FALSE(cache_.contains(key));
  EXPECT_EQ(cache_.open(key).status().code(), absl::StatusCode::kNotFound);
  // remove() clears both.
  ASSERT_TRUE(write_blob(cache_, key, data).ok());
  ASSERT_TRUE(cache_.remove(key).ok());
  EXPECT_FALSE(cache_.front().contains(key));
  EXPECT_FALSE(cache_.back().contains(key));
}

TEST_F(CachingStorageTest, UsageAndDescriptionComeFromBothLayers) {
  ASSERT_TRUE(write_blob(cache_, cas_key_for("abc"), "abc").ok());
  EXPECT_EQ(cache_.usage().capacity, 100 * kKiB);
  EXPECT_EQ(cache_.usage().bytes, 3);
  EXPECT_EQ(cache_.describe(),
            "cache:memory (10KiB) in front of memory (100KiB) (blobs up to 1000B)");
}

}  // namespace
}  // namespace reference::testing
