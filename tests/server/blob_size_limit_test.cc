// --max-cas-blob-size of the reference server: advertised as max_cas_blob_size_bytes
// (CAP-18) and enforced on every way a blob is stored (CAS-BUP-12, BS-WRITE-12, SpliceBlob).

#include "server_fixture.h"

namespace reference::testing {
namespace {

class BlobSizeLimitTest : public ServerTest {
 protected:
  static constexpr std::int64_t kLimit = 100000;
  void SetUp() override {
    ServerTest::SetUp();
    ServerConfig config = default_config();
    config.max_cas_blob_size_bytes = kLimit;
    ASSERT_NO_FATAL_FAILURE(restart(config));
  }
};

// CAP-18: the configured limit is advertised; 0 (the default) means none.
TEST_P(BlobSizeLimitTest, AdvertisesTheLimit) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  EXPECT_EQ(caps.cache_capabilities().max_cas_blob_size_bytes(), kLimit);
  ASSERT_NO_FATAL_FAILURE(restart(default_config()));
  ASSERT_TRUE(get_capabilities("", caps).ok());
  EXPECT_EQ(caps.cache_capabilities().max_cas_blob_size_bytes(), 0);
}

// CAS-BUP-12, CAS-BUP-01: an entry over the limit is INVALID_ARGUMENT, one at the limit in
// the same call is stored.
TEST_P(BlobSizeLimitTest, BatchEntryOverTheLimitIsRefused) {
  const Blob at = make_blob(random_bytes(kLimit, 1));
  const Blob over = make_blob(random_bytes(kLimit + 1, 2));
  v2::BatchUpdateBlobsRequest request;
  for (const Blob* b : {&at, &over}) {
    auto* entry = request.add_requests();
    *entry->mutable_digest() = b->digest;
    entry->set_data(b->data);
  }
  v2::BatchUpdateBlobsResponse response;
  ASSERT_TRUE(has_code(batch_update(request, response), grpc::StatusCode::OK));
  ASSERT_EQ(response.responses_size(), 2);
  EXPECT_TRUE(has_code(response.responses(0).status(), grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(response.responses(1).status(), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(is_stored(at.digest));
  EXPECT_FALSE(is_stored(over.digest));
}

// BS-WRITE-12: a Write whose name is over the limit is INVALID_ARGUMENT at its first
// message, compressed or not; one at the limit is stored.
TEST_P(BlobSizeLimitTest, WriteOverTheLimitIsRefusedAtTheName) {
  const Blob over = make_blob(random_bytes(kLimit + 1, 3));
  for (const std::string& name : {upload_name(over.digest), compressed_upload_name(over.digest)}) {
    const WriteResult w = write({write_request(name, 0, "", false)});
    EXPECT_TRUE(has_code(w.status, grpc::StatusCode::INVALID_ARGUMENT)) << name;
  }
  EXPECT_FALSE(is_stored(over.digest));
  EXPECT_TRUE(write_blob(make_blob(random_bytes(kLimit, 4))));
}

// SpliceBlob makes a blob too: over the limit it is INVALID_ARGUMENT; SplitBlob of stored
// blobs is unaffected.
TEST_P(BlobSizeLimitTest, SpliceOverTheLimitIsRefused) {
  const Blob a = make_blob(random_bytes(kLimit / 2 + 1, 5));
  const Blob b = make_blob(random_bytes(kLimit / 2 + 1, 6));
  ASSERT_TRUE(upload({a, b}));
  const Blob whole = make_blob(a.data + b.data);
  v2::SpliceBlobRequest request;
  *request.mutable_blob_digest() = whole.digest;
  *request.add_chunk_digests() = a.digest;
  *request.add_chunk_digests() = b.digest;
  v2::SpliceBlobResponse out;
  EXPECT_TRUE(has_code(cas().SpliceBlob(context().get(), request, &out),
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(whole.digest));
  v2::SplitBlobRequest split;
  *split.mutable_blob_digest() = a.digest;
  v2::SplitBlobResponse chunks;
  EXPECT_TRUE(has_code(cas().SplitBlob(context().get(), split, &chunks), grpc::StatusCode::OK));
}

INSTANTIATE_ON_BOTH_BACKENDS(BlobSizeLimitTest);

}  // namespace
}  // namespace reference::testing
