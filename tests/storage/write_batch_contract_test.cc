// The write_batch() contract (storage.h), checked the same way on every backend: one
// status per blob in order, failures that touch only their own blob, and the same end state
// as writing the blobs one after the other (duplicates, eviction within capacity).

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <set>
#include <thread>
#include <vector>

#include "lru_model.h"
#include "reapi/digest.h"
#include "test_support.h"

namespace reference::testing {
namespace {

// A key no backend accepts (COM-01: not lowercase hex of the right length).
BlobKey bad_key(std::uint64_t seed) {
  return BlobKey::cas(reapi::DigestFunction::sha256,
                      {"../" + std::string(60, 'a') + std::to_string(seed % 10), 1});
}

// A CAS key whose declared size does not fit into `capacity` (CAS-BUP-04).
BlobKey oversized_cas_key(std::int64_t capacity, std::uint64_t seed) {
  return BlobKey::cas(
      reapi::DigestFunction::sha256,
      {reapi::digest_of(reapi::DigestFunction::sha256, std::to_string(seed)).hash, capacity + 1});
}

std::vector<BlobWrite> as_writes(const std::vector<std::pair<BlobKey, std::string>>& blobs) {
  std::vector<BlobWrite> writes;
  for (const auto& [key, data] : blobs) writes.push_back(BlobWrite{key, data});
  return writes;
}

std::vector<absl::StatusCode> codes_of(const std::vector<absl::Status>& statuses) {
  std::vector<absl::StatusCode> codes;
  for (const absl::Status& status : statuses) codes.push_back(status.code());
  return codes;
}

// The blob's content, or its error as text (which no test blob equals).
std::string content_or_error(Storage& storage, const BlobKey& key) {
  auto read = read_blob(storage, key);
  return read.ok() ? *std::move(read) : "error: " + read.status().ToString();
}

class WriteBatchContract : public ::testing::TestWithParam<BackendKind> {
 protected:
  Backend make(std::int64_t capacity) const {
    Backend backend = GetParam().make(capacity);
    if (backend.storage == nullptr) throw std::runtime_error("backend did not open");
    return backend;
  }
};

TEST_P(WriteBatchContract, EachBlobGetsItsOwnStatusAndOnlyGoodOnesAreStored) {
  check_property(30, [this] {
    constexpr std::int64_t kCapacity = kMiB;
    Backend backend = make(kCapacity);
    Storage& storage = *backend.storage;
    LruModel model(kCapacity);
    // Action keys come from a small pool, so that batches replace, repeat and fail to
    // replace earlier values.
    const auto pool_key = [] {
      return action_key(*rc::gen::element<std::string>("", "main"),
                        *rc::gen::inRange<std::uint64_t>(0, 3));
    };
    for (int i = *rc::gen::inRange(0, 3); i > 0; --i) {
      const BlobKey key = pool_key();
      const std::string data = make_blob(100, i);
      RC_ASSERT_OK(write_blob(storage, key, data));
      model.put(key, data);
    }

    std::vector<std::pair<BlobKey, std::string>> blobs;
    std::vector<absl::StatusCode> expected;
    std::set<std::string> refused;  // keys only ever refused
    const int count = *rc::gen::inRange(0, 12);
    for (int i = 0; i < count; ++i) {
      const auto seed = *rc::gen::arbitrary<std::uint64_t>();
      std::string data = make_blob(*rc::gen::inRange<std::size_t>(0, 16 * 1024), seed);
      switch (*rc::gen::weightedElement<int>({{4, 0}, {4, 1}, {1, 2}, {1, 3}, {1, 4}})) {
        case 0:  // a CAS blob
          blobs.emplace_back(cas_key_for(data), std::move(data));
          expected.push_back(absl::StatusCode::kOk);
          break;
        case 1:  // an ActionCache entry
          blobs.emplace_back(pool_key(), std::move(data));
          expected.push_back(absl::StatusCode::kOk);
          break;
        case 2:  // a key that is not a digest
          blobs.emplace_back(bad_key(seed), std::move(data));
          expected.push_back(absl::StatusCode::kInvalidArgument);
          break;
        case 3:  // a CAS blob declared bigger than the whole storage
          blobs.emplace_back(oversized_cas_key(kCapacity, seed), std::move(data));
          expected.push_back(absl::StatusCode::kResourceExhausted);
          break;
        case 4:  // an ActionCache entry bigger than the whole storage (AC-10)
          blobs.emplace_back(pool_key(), make_blob(kCapacity + 1, seed));
          expected.push_back(absl::StatusCode::kResourceExhausted);
          break;
      }
      if (expected.back() == absl::StatusCode::kOk) {
        model.put(blobs.back().first, blobs.back().second);
      }
    }
    const std::vector<BlobWrite> writes = as_writes(blobs);
    const std::vector<absl::Status> statuses = storage.write_batch(writes);
    RC_ASSERT(codes_of(statuses) == expected);

    // What is stored is what one write_blob() after the other would have left.
    for (const auto& [key, data] : blobs) {
      const std::string* want = model.touch(key);
      auto got = read_blob(storage, key);
      if (want == nullptr) {
        RC_ASSERT(!storage.contains(key));
        RC_ASSERT(!got.ok());
      } else {
        RC_ASSERT_OK(got.status());
        RC_ASSERT(*got == *want);
      }
    }
    RC_ASSERT(storage.usage().bytes == model.bytes());
    RC_ASSERT(storage.usage().blobs == model.count());
  });
}

TEST_P(WriteBatchContract, AnEmptyBatchChangesNothing) {
  Backend backend = make(kMiB);
  Storage& storage = *backend.storage;
  ASSERT_TRUE(write_blob(storage, cas_key_for("kept"), "kept").ok());
  EXPECT_TRUE(storage.write_batch({}).empty());
  EXPECT_EQ(storage.usage().blobs, 1);
  EXPECT_EQ(storage.usage().bytes, 4);
  EXPECT_EQ(content_or_error(storage, cas_key_for("kept")), "kept");
}

TEST_P(WriteBatchContract, RepeatedKeysInOneBatchLeaveTheLastValue) {
  Backend backend = make(kMiB);
  Storage& storage = *backend.storage;
  const BlobKey action = action_key("main", 1);
  const std::string cas = make_blob(3000, 1);
  const std::vector<std::pair<BlobKey, std::string>> blobs = {
      {action, "first"},       {cas_key_for(cas), cas},    {action, "second"},
      {cas_key_for(cas), cas}, {action, "third, longest"},
  };
  const std::vector<BlobWrite> writes = as_writes(blobs);
  const std::vector<absl::Status> statuses = storage.write_batch(writes);
  ASSERT_EQ(statuses.size(), blobs.size());
  for (const absl::Status& status : statuses) EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(content_or_error(storage, action), "third, longest");
  EXPECT_EQ(content_or_error(storage, cas_key_for(cas)), cas);
  EXPECT_EQ(storage.usage().blobs, 2);
  EXPECT_EQ(storage.usage().bytes, static_cast<std::int64_t>(cas.size() + 14));
}

TEST_P(WriteBatchContract, ABatchLargerThanTheCapacityEvictsAsSingleWritesWould) {
  constexpr std::int64_t kCapacity = 64 * kKiB;
  Backend backend = make(kCapacity);
  Storage& storage = *backend.storage;
  LruModel model(kCapacity);
  std::vector<BlobKey> seen;
  const auto write_and_compare = [&](const std::vector<std::pair<BlobKey, std::string>>& blobs) {
    const std::vector<BlobWrite> writes = as_writes(blobs);
    const std::vector<absl::Status> statuses = storage.write_batch(writes);
    ASSERT_EQ(statuses.size(), blobs.size());
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      seen.push_back(blobs[i].first);
      if (static_cast<std::int64_t>(blobs[i].second.size()) > kCapacity) {
        EXPECT_EQ(statuses[i].code(), absl::StatusCode::kResourceExhausted) << i;
      } else {
        EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i];
        model.put(blobs[i].first, blobs[i].second);
      }
    }
    EXPECT_LE(storage.usage().bytes, kCapacity);
    EXPECT_EQ(storage.usage().bytes, model.bytes());
    EXPECT_EQ(storage.usage().blobs, model.count());
    for (const BlobKey& key : seen) {
      const std::string* want = model.touch(key);
      EXPECT_EQ(storage.contains(key), want != nullptr) << key.to_string();
      if (want != nullptr) {
        EXPECT_EQ(content_or_error(storage, key), *want);
      }
    }
  };

  const std::string old = make_blob(10 * 1024, 100);
  write_and_compare({{cas_key_for(old), old}});
  // 120 KiB of blobs that each fit, with one that does not among them: the last three
  // stay, the older ones (and the blob stored before) are evicted.
  std::vector<std::pair<BlobKey, std::string>> blobs;
  for (int i = 0; i < 6; ++i) {
    const std::string data = make_blob(20 * 1024, i);
    blobs.emplace_back(cas_key_for(data), data);
    if (i == 2) blobs.emplace_back(action_key("a", 1), make_blob(kCapacity + 1, 50));
  }
  write_and_compare(blobs);
  EXPECT_EQ(storage.usage().blobs, 3);
  // One blob as large as the whole storage fits, alone.
  const std::string whole = make_blob(kCapacity, 60);
  write_and_compare({{cas_key_for(whole), whole}});
  EXPECT_EQ(storage.usage().blobs, 1);
}

TEST_P(WriteBatchContract, ConcurrentBatchesAndSingleWritesKeepBlobsIntact) {
  constexpr std::int64_t kCapacity = 256 * kKiB;
  constexpr int kThreads = 3;
  constexpr int kRounds = 8;
  Backend backend = make(kCapacity);
  Storage& storage = *backend.storage;
  // Shared CAS content (so that threads write the same keys) and per-thread results.
  std::vector<std::string> cas;
  for (int i = 0; i < 12; ++i) cas.push_back(make_blob(1000 * (i + 1), i));
  const auto result_for = [](int thread, int key) {
    return "thread " + std::to_string(thread) + " key " + std::to_string(key);
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<std::pair<BlobKey, std::string>> blobs;
        for (int i = 0; i < 6; ++i) {
          const std::size_t c = static_cast<std::size_t>(t + round + i) % cas.size();
          blobs.emplace_back(cas_key_for(cas[c]), cas[c]);
          blobs.emplace_back(action_key("main", static_cast<std::uint64_t>(i)), result_for(t, i));
        }
        const std::vector<BlobWrite> writes = as_writes(blobs);
        for (const absl::Status& status : storage.write_batch(writes)) {
          EXPECT_TRUE(status.ok()) << status;
        }
        const std::string& single = cas[static_cast<std::size_t>(round) % cas.size()];
        EXPECT_TRUE(write_blob(storage, cas_key_for(single), single).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_LE(storage.usage().bytes, kCapacity);
  std::int64_t bytes = 0;
  std::int64_t blobs = 0;
  for (const std::string& data : cas) {
    auto read = read_blob(storage, cas_key_for(data));
    if (!read.ok()) continue;  // evicted
    EXPECT_EQ(*read, data);
    bytes += static_cast<std::int64_t>(read->size());
    ++blobs;
  }
  for (int i = 0; i < 6; ++i) {
    auto read = read_blob(storage, action_key("main", static_cast<std::uint64_t>(i)));
    if (!read.ok()) continue;
    bool known = false;
    for (int t = 0; t < kThreads; ++t) known = known || *read == result_for(t, i);
    EXPECT_TRUE(known) << *read;
    bytes += static_cast<std::int64_t>(read->size());
    ++blobs;
  }
  EXPECT_EQ(storage.usage().bytes, bytes);
  EXPECT_EQ(storage.usage().blobs, blobs);
}

INSTANTIATE_TEST_SUITE_P(Backends, WriteBatchContract, ::testing::ValuesIn(all_backend_kinds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace reference::testing
