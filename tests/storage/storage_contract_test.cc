// The contract every Storage backend keeps (storage.h), checked the same way on each of
// them: round trips, visibility only after commit, replacement, removal, key spaces,
// ranged reads, LRU eviction within capacity, and concurrent use.

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <limits>
#include <list>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "lru_model.h"
#include "reapi/digest.h"
#include "test_support.h"

namespace reference::testing {
namespace {

constexpr std::int64_t kRoomy = 64 * kMiB;

// Writes `data` under `key` in pieces of `chunk` bytes; the first error, if any.
absl::Status write_in_chunks(Storage& storage, const BlobKey& key, std::string_view data,
                             std::size_t chunk) {
  auto writer = storage.create(key);
  if (!writer.ok()) return writer.status();
  for (std::size_t at = 0; at < data.size(); at += chunk) {
    if (auto status = (*writer)->append(data.substr(at, chunk)); !status.ok()) return status;
  }
  return (*writer)->commit();
}

rc::Gen<std::string> gen_instance() {
  return rc::gen::element<std::string>("", "main", "team/a", "x");
}

// A key in either space; CAS keys are the digest of `data`, as the services store them.
BlobKey pick_key(std::string_view data) {
  if (*rc::gen::arbitrary<bool>()) return cas_key_for(data);
  return action_key(*gen_instance(), *rc::gen::inRange<std::uint64_t>(0, 1000));
}

std::string pick_blob() {
  return make_blob(*gen_blob_size(), *rc::gen::arbitrary<std::uint64_t>());
}

class StorageContract : public ::testing::TestWithParam<BackendKind> {
 protected:
  Backend make(std::int64_t capacity) const {
    Backend backend = GetParam().make(capacity);
    if (backend.storage == nullptr) throw std::runtime_error("backend did not open");
    return backend;
  }
};

TEST_P(StorageContract, FreshStorageIsEmpty) {
  Backend backend = make(kMiB);
  Storage& storage = *backend.storage;
  const StorageUsage usage = storage.usage();
  EXPECT_EQ(usage.bytes, 0);
  EXPECT_EQ(usage.blobs, 0);
  EXPECT_EQ(usage.capacity, kMiB);
  EXPECT_FALSE(storage.describe().empty());
  const BlobKey key = cas_key_for("abc");
  EXPECT_FALSE(storage.contains(key));
  EXPECT_EQ(storage.open(key).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(storage.remove(key).ok());
}

TEST_P(StorageContract, CommittedBlobsReadBackExactly) {
  check_property(25, [this] {
    Backend backend = make(kRoomy);
    Storage& storage = *backend.storage;
    std::unordered_map<BlobKey, std::string, BlobKeyHash> expected;
    const int count = *rc::gen::inRange(1, 6);
    for (int i = 0; i < count; ++i) {
      const std::string data = pick_blob();
      const BlobKey key = pick_key(data);
      const auto chunk = *rc::gen::inRange<std::size_t>(1, 256 * 1024);
      RC_ASSERT_OK(write_in_chunks(storage, key, data, chunk));
      expected[key] = data;
      RC_ASSERT(storage.contains(key));
    }
    std::int64_t bytes = 0;
    for (const auto& [key, data] : expected) {
      RC_ASSERT(storage.contains(key));
      auto reader = storage.open(key);
      RC_ASSERT_OK(reader.status());
      RC_ASSERT((*reader)->size() == static_cast<std::int64_t>(data.size()));
      auto read = read_blob(storage, key);
      RC_ASSERT_OK(read.status());
      RC_ASSERT(*read == data);
      bytes += static_cast<std::int64_t>(data.size());
    }
    const StorageUsage usage = storage.usage();
    RC_ASSERT(usage.bytes == bytes);
    RC_ASSERT(usage.blobs == static_cast<std::int64_t>(expected.size()));
  });
}

TEST_P(StorageContract, RangedReadsAppendTheRequestedBytes) {
  check_property(30, [this] {
    Backend backend = make(kRoomy);
    Storage& storage = *backend.storage;
    const std::string data = pick_blob();
    const BlobKey key = pick_key(data);
    RC_ASSERT_OK(write_blob(storage, key, data));
    auto reader = storage.open(key);
    RC_ASSERT_OK(reader.status());
    const auto size = static_cast<std::int64_t>(data.size());
    for (int i = 0; i < 8; ++i) {
      const auto offset = *rc::gen::weightedOneOf<std::int64_t>({
          {4, rc::gen::inRange<std::int64_t>(0, size + 1)},
          {1, rc::gen::element<std::int64_t>(-1, 0, size, size + 1)},
          {1, rc::gen::inRange<std::int64_t>(-1000, 1000)},
      });
      const auto length = *rc::gen::weightedOneOf<std::size_t>({
          {4, rc::gen::inRange<std::size_t>(0, data.size() + 10)},
          {1, rc::gen::just(std::numeric_limits<std::size_t>::max())},
      });
      std::string out = "prefix";
      const absl::Status status = (*reader)->read(offset, length, out);
      if (offset < 0 || offset > size) {
        RC_ASSERT(status.code() == absl::StatusCode::kOutOfRange);
        RC_ASSERT(out == "prefix");
      } else {
        RC_ASSERT_OK(status);
        RC_ASSERT(out == "prefix" + data.substr(static_cast<std::size_t>(offset), length));
      }
    }
  });
}

TEST_P(StorageContract, NothingIsVisibleBeforeCommitOrAfterAnAbandonedWrite) {
  check_property(30, [this] {
    Backend backend = make(kRoomy);
    Storage& storage = *backend.storage;
    const std::string data = pick_blob();
    const BlobKey key = pick_key(data);
    const bool commit = *rc::gen::arbitrary<bool>();
    {
      auto writer = storage.create(key);
      RC_ASSERT_OK(writer.status());
      const auto chunk = *rc::gen::inRange<std::size_t>(1, 128 * 1024);
      for (std::size_t at = 0; at < data.size(); at += chunk) {
        RC_ASSERT_OK((*writer)->append(std::string_view(data).substr(at, chunk)));
        RC_ASSERT((*writer)->size() ==
                  static_cast<std::int64_t>(std::min(data.size(), at + chunk)));
        RC_ASSERT(!storage.contains(key));
        RC_ASSERT(storage.open(key).status().code() == absl::StatusCode::kNotFound);
        RC_ASSERT(storage.usage().blobs == 0);
      }
      RC_ASSERT(!storage.contains(key));
      if (commit) RC_ASSERT_OK((*writer)->commit());
    }
    RC_ASSERT(storage.contains(key) == commit);
    RC_ASSERT(storage.usage().blobs == (commit ? 1 : 0));
    RC_ASSERT(storage.usage().bytes == (commit ? static_cast<std::int64_t>(data.size()) : 0));
    if (!commit) {
      // The abandoned write leaves nothing behind that a new write of the key trips on.
      RC_ASSERT_OK(write_blob(storage, key, data));
      RC_ASSERT(*read_blob(storage, key) == data);
    }
  });
}

TEST_P(StorageContract, ActionCacheEntriesAreReplacedAndOldReadersKeepTheirValue) {
  check_property(25, [this] {
    Backend backend = make(kRoomy);
    Storage& storage = *backend.storage;
    const BlobKey key = action_key(*gen_instance(), 7);
    std::vector<std::string> values;
    std::vector<std::unique_ptr<BlobReader>> readers;
    const int versions = *rc::gen::inRange(2, 5);
    for (int i = 0; i < versions; ++i) {
      values.push_back(pick_blob());
      // While the new value is being written, the old one is still served.
      auto writer = storage.create(key);
      RC_ASSERT_OK(writer.status());
      RC_ASSERT_OK((*writer)->append(values.back()));
      if (i > 0) RC_ASSERT(*read_blob(storage, key) == values[i - 1]);
      RC_ASSERT_OK((*writer)->commit());
      auto reader = storage.open(key);
      RC_ASSERT_OK(reader.status());
      readers.push_back(*std::move(reader));
    }
    RC_ASSERT(*read_blob(storage, key) == values.back());
    RC_ASSERT(storage.usage().blobs == 1);
    RC_ASSERT(storage.usage().bytes == static_cast<std::int64_t>(values.back().size()));
    for (std::size_t i = 0; i < readers.size(); ++i) {
      std::string out;
      RC_ASSERT_OK(readers[i]->read(0, values[i].size(), out));
      RC_ASSERT(out == values[i]);
    }
  });
}

TEST_P(StorageContract, RemoveDeletesOnlyThatBlob) {
  check_property(25, [this] {
    Backend backend = make(kRoomy);
    Storage& storage = *backend.storage;
    std::unordered_map<BlobKey, std::string, BlobKeyHash> stored;
    const int count = *rc::gen::inRange(1, 6);
    for (int i = 0; i < count; ++i) {
      const std::string data = make_blob(*rc::gen::inRange<std::size_t>(0, 4096), i);
      const BlobKey key = pick_key(data);
      RC_ASSERT_OK(write_blob(storage, key, data));
      stored[key] = data;
    }
    const BlobKey victim = *rc::gen::elementOf([&] {
      std::vector<BlobKey> keys;
      for (const auto& [key, data] : stored) keys.push_back(key);
      return keys;
    }());
    auto reader = storage.open(victim);
    RC_ASSERT_OK(reader.status());
    RC_ASSERT_OK(storage.remove(victim));
    RC_ASSERT_OK(storage.remove(victim));  // absent: still OK
    RC_ASSERT(!storage.contains(victim));
    RC_ASSERT(storage.open(victim).status().code() == absl::StatusCode::kNotFound);
    // An open reader still has the removed blob.
    std::string out;
    RC_ASSERT_OK((*reader)->read(0, stored[victim].size(), out));
    RC_ASSERT(out == stored[victim]);
    stored.erase(victim);
    std::int64_t bytes = 0;
    for (const auto& [key, data] : stored) {
      RC_ASSERT(*read_blob(storage, key) == data);
      bytes += static_cast<std::int64_t>(data.size());
    }
    RC_ASSERT(storage.usage().bytes == bytes);
    RC_ASSERT(storage.usage().blobs == static_cast<std::int64_t>(stored.size()));
  });
}

TEST_P(StorageContract, SpacesInstancesAndDigestFunctionsAreKeptApart) {
  Backend backend = make(kRoomy);
  Storage& storage = *backend.storage;
  // One hash under every kind of key (AC-13: instances are separate; CAS is shared).
  const reapi::Digest digest = reapi::digest_of(reapi::DigestFunction::sha256, "shared");
  const std::vector<BlobKey> keys = {
      BlobKey::cas(reapi::DigestFunction::sha256, digest),
      BlobKey::cas(reapi::DigestFunction::blake3, digest),
      BlobKey::action("", reapi::DigestFunction::sha256, digest),
      BlobKey::action("a", reapi::DigestFunction::sha256, digest),
      BlobKey::action("b", reapi::DigestFunction::sha256, digest),
      BlobKey::action("a", reapi::DigestFunction::sha256tree, digest),
      BlobKey::action("../a", reapi::DigestFunction::sha256, digest),
  };
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(write_blob(storage, keys[i], "value " + std::to_string(i)).ok()) << i;
  }
  EXPECT_EQ(storage.usage().blobs, static_cast<std::int64_t>(keys.size()));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(*read_blob(storage, keys[i]), "value " + std::to_string(i)) << i;
  }
  ASSERT_TRUE(storage.remove(keys[3]).ok());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(storage.contains(keys[i]), i != 3) << i;
  }
}

TEST_P(StorageContract, InvalidKeysAreRejected) {
  Backend backend = make(kRoomy);
  Storage& storage = *backend.storage;
  const std::string good = std::string(64, 'a');
  std::vector<BlobKey> bad;
  for (const std::string& hash :
       {std::string("../../etc/passwd"), std::string(64, 'A'), std::string(63, 'a'),
        std::string(65, 'a'), std::string(), "../" + std::string(61, 'a'),
        std::string(62, 'a') + "/x", std::string(62, 'a') + "\n0"}) {
    bad.push_back(BlobKey::cas(reapi::DigestFunction::sha256, {hash, 1}));
    bad.push_back(BlobKey::action("main", reapi::DigestFunction::sha256, {hash, 1}));
  }
  bad.push_back(BlobKey::cas(reapi::DigestFunction::sha256, {good, -1}));
  bad.push_back(BlobKey::cas(reapi::DigestFunction::unknown, {good, 1}));
  BlobKey cas_with_instance = BlobKey::cas(reapi::DigestFunction::sha256, {good, 1});
  cas_with_instance.instance_name = "main";
  bad.push_back(cas_with_instance);
  for (const BlobKey& key : bad) {
    SCOPED_TRACE(key.to_string());
    EXPECT_EQ(storage.create(key).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(storage.open(key).status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(storage.remove(key).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_FALSE(storage.contains(key));
  }
  EXPECT_EQ(storage.usage().blobs, 0);
}

TEST_P(StorageContract, WriterIsSpentAfterCommit) {
  Backend backend = make(kRoomy);
  Storage& storage = *backend.storage;
  const BlobKey key = action_key("", 1);
  auto writer = storage.create(key);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->append("abc").ok());
  ASSERT_TRUE((*writer)->commit().ok());
  EXPECT_FALSE((*writer)->append("more").ok());
  EXPECT_FALSE((*writer)->commit().ok());
  EXPECT_EQ(*read_blob(storage, key), "abc");
}

TEST_P(StorageContract, BlobsLargerThanTheCapacityAreRefused) {
  constexpr std::int64_t kCapacity = 64 * kKiB;
  Backend backend = make(kCapacity);
  Storage& storage = *backend.storage;
  // CAS: the size is known up front (CAS-BUP-04).
  const std::string too_big = make_blob(kCapacity + 1, 1);
  EXPECT_EQ(storage.create(cas_key_for(too_big)).status().code(),
            absl::StatusCode::kResourceExhausted);
  // ActionCache: found out while writing (AC-10); the old value stays.
  const BlobKey key = action_key("main", 1);
  ASSERT_TRUE(write_blob(storage, key, "old").ok());
  EXPECT_EQ(write_in_chunks(storage, key, too_big, 4096).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(*read_blob(storage, key), "old");
  EXPECT_EQ(storage.usage().bytes, 3);
  // Exactly the capacity fits, evicting everything else.
  const std::string exact = make_blob(kCapacity, 2);
  ASSERT_TRUE(write_blob(storage, cas_key_for(exact), exact).ok());
  EXPECT_FALSE(storage.contains(key));
  EXPECT_EQ(storage.usage().bytes, kCapacity);
  EXPECT_EQ(*read_blob(storage, cas_key_for(exact)), exact);
}

TEST_P(StorageContract, EvictionKeepsUsageWithinCapacityAndDropsLeastRecentlyUsedFirst) {
  check_property(40, [this] {
    constexpr std::int64_t kCapacity = 64 * kKiB;
    constexpr auto kThird = static_cast<std::size_t>(kCapacity / 3);
    Backend backend = make(kCapacity);
    Storage& storage = *backend.storage;
    LruModel model(kCapacity);

    // A pool of keys: CAS keys with their fixed content, and ActionCache keys.
    std::vector<BlobKey> keys;
    std::vector<std::string> cas_content;
    for (int i = 0; i < 3; ++i) {
      cas_content.push_back(make_blob(*rc::gen::inRange<std::size_t>(0, kThird), i));
      keys.push_back(cas_key_for(cas_content.back()));
    }
    for (int i = 0; i < 4; ++i) keys.push_back(action_key(i % 2 ? "a" : "b", i));

    const int steps = *rc::gen::inRange(1, 40);
    for (int step = 0; step < steps; ++step) {
      const auto k = *rc::gen::inRange<std::size_t>(0, keys.size());
      const BlobKey& key = keys[k];
      switch (*rc::gen::weightedElement<int>({{5, 0}, {2, 1}, {2, 2}, {1, 3}})) {
        case 0: {  // write
          std::string data = k < cas_content.size()
                                 ? cas_content[k]
                                 : make_blob(*rc::gen::weightedOneOf<std::size_t>(
                                                 {{9, rc::gen::inRange<std::size_t>(0, kThird)},
                                                  {1, rc::gen::just<std::size_t>(kCapacity + 1)}}),
                                             *rc::gen::arbitrary<std::uint64_t>());
          const absl::Status status = write_in_chunks(storage, key, data, 8192);
          if (static_cast<std::int64_t>(data.size()) > kCapacity) {
            RC_ASSERT(status.code() == absl::StatusCode::kResourceExhausted);
          } else {
            RC_ASSERT_OK(status);
            model.put(key, std::move(data));
          }
          break;
        }
        case 1:  // contains
          RC_ASSERT(storage.contains(key) == (model.touch(key) != nullptr));
          break;
        case 2: {  // open and read
          const std::string* expected = model.touch(key);
          auto read = read_blob(storage, key);
          if (expected == nullptr) {
            RC_ASSERT(read.status().code() == absl::StatusCode::kNotFound);
          } else {
            RC_ASSERT_OK(read.status());
            RC_ASSERT(*read == *expected);
          }
          break;
        }
        case 3:  // remove
          RC_ASSERT_OK(storage.remove(key));
          model.erase(key);
          break;
      }
      const StorageUsage usage = storage.usage();
      RC_ASSERT(usage.bytes <= kCapacity);
      RC_ASSERT(usage.bytes == model.bytes());
      RC_ASSERT(usage.blobs == model.count());
    }
  });
}

TEST_P(StorageContract, ReadersSurviveEviction) {
  constexpr std::int64_t kCapacity = 64 * kKiB;
  for (const std::size_t size : {std::size_t{4 * 1024}, std::size_t{20 * 1024}}) {
    SCOPED_TRACE(size);
    Backend backend = make(kCapacity);
    Storage& storage = *backend.storage;
    const std::string first = make_blob(size, 1);
    const BlobKey first_key = cas_key_for(first);
    ASSERT_TRUE(write_blob(storage, first_key, first).ok());
    auto reader = storage.open(first_key);
    ASSERT_TRUE(reader.ok());
    std::string out;
    ASSERT_TRUE((*reader)->read(0, 100, out).ok());
    for (int i = 0; i < 4; ++i) {
      const std::string filler = make_blob(20 * 1024, 100 + i);
      ASSERT_TRUE(write_blob(storage, cas_key_for(filler), filler).ok());
    }
    ASSERT_FALSE(storage.contains(first_key));
    ASSERT_TRUE((*reader)->read(100, size, out).ok());
    EXPECT_EQ(out, first);
    EXPECT_LE(storage.usage().bytes, kCapacity);
  }
}

TEST_P(StorageContract, ConcurrentWritersOfOneKeyLeaveOneIntactBlob) {
  constexpr int kThreads = 4;
  Backend backend = make(kRoomy);
  Storage& storage = *backend.storage;
  for (int round = 0; round < 5; ++round) {
    const std::string content = make_blob(200 * 1024 + round, round);
    const BlobKey cas = cas_key_for(content);
    const BlobKey action = action_key("main", round);
    std::vector<std::string> results;
    for (int t = 0; t < kThreads; ++t) results.push_back(make_blob(50 * 1024 + t, 1000 + t));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        EXPECT_TRUE(write_in_chunks(storage, cas, content, 16 * 1024).ok());
        EXPECT_TRUE(write_in_chunks(storage, action, results[t], 16 * 1024).ok());
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(*read_blob(storage, cas), content);
    const std::string result = *read_blob(storage, action);
    EXPECT_NE(std::find(results.begin(), results.end(), result), results.end());
    EXPECT_EQ(storage.usage().blobs, 2 * (round + 1));
  }
}

// A value that says what it should be: 8 bytes of seed, then make_blob(size, seed).
std::string self_checking_blob(std::size_t size, std::uint64_t seed) {
  std::string out(8, '\0');
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>(seed >> (8 * b));
  return out + make_blob(size, seed);
}

bool is_intact(const std::string& data) {
  if (data.size() < 8) return false;
  std::uint64_t seed = 0;
  for (int b = 0; b < 8; ++b) seed |= std::uint64_t{static_cast<unsigned char>(data[b])} << (8 * b);
  return data == self_checking_blob(data.size() - 8, seed);
}

TEST_P(StorageContract, ConcurrentMixedUseUnderEvictionKeepsBlobsIntact) {
  constexpr std::int64_t kCapacity = 128 * kKiB;
  constexpr int kThreads = 4;
  constexpr int kOpsPerThread = 150;
  Backend backend = make(kCapacity);
  Storage& storage = *backend.storage;
  std::vector<std::string> cas_content;
  std::vector<BlobKey> keys;
  for (int i = 0; i < 4; ++i) {
    cas_content.push_back(self_checking_blob(static_cast<std::size_t>(5000 * (i + 1)), i));
    keys.push_back(cas_key_for(cas_content.back()));
  }
  for (int i = 0; i < 6; ++i) keys.push_back(action_key(i % 2 ? "a" : "b", i));

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 random(t);
      for (int op = 0; op < kOpsPerThread; ++op) {
        const std::size_t k = random() % keys.size();
        const BlobKey& key = keys[k];
        switch (random() % 6) {
          case 0:
          case 1: {
            const std::string data = k < cas_content.size()
                                         ? cas_content[k]
                                         : self_checking_blob(random() % (24 * 1024), random());
            EXPECT_TRUE(write_in_chunks(storage, key, data, 4096).ok());
            break;
          }
          case 2:
            storage.contains(key);
            break;
          case 3:
          case 4: {
            auto reader = storage.open(key);
            if (!reader.ok()) {
              EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
              break;
            }
            std::string data;
            // Read in pieces, racing with eviction and replacement.
            for (std::int64_t at = 0; at < (*reader)->size(); at += 3000) {
              ASSERT_TRUE((*reader)->read(at, 3000, data).ok());
            }
            EXPECT_TRUE(is_intact(data)) << key.to_string();
            if (k < cas_content.size()) {
              EXPECT_EQ(data, cas_content[k]);
            }
            break;
          }
          case 5:
            EXPECT_TRUE(storage.remove(key).ok());
            break;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const StorageUsage usage = storage.usage();
  EXPECT_LE(usage.bytes, kCapacity);
  std::int64_t bytes = 0;
  std::int64_t blobs = 0;
  for (const BlobKey& key : keys) {
    auto data = read_blob(storage, key);
    if (!data.ok()) continue;
    EXPECT_TRUE(is_intact(*data));
    bytes += static_cast<std::int64_t>(data->size());
    ++blobs;
  }
  EXPECT_EQ(usage.bytes, bytes);
  EXPECT_EQ(usage.blobs, blobs);
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageContract, ::testing::ValuesIn(all_backend_kinds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace reference::testing
