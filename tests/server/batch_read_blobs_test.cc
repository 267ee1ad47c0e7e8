// BatchReadBlobs of the reference server (shared/reapi/cas.md section 3).

#include "server_fixture.h"

namespace reference::testing {
namespace {

class BatchReadBlobsTest : public ServerTest {
 protected:
  // BatchReadBlobs of `digests`; the RPC must be OK with one response per digest in request
  // order, echoing it (CAS-BRD-01, CAS-BRD-04; the reference server keeps order, N2).
  std::vector<v2::BatchReadBlobsResponse::Response> read_blobs(
      const std::vector<v2::Digest>& digests, const std::vector<int>& acceptable = {},
      const std::string& instance = "", int digest_function = 0) {
    v2::BatchReadBlobsRequest request;
    request.set_instance_name(instance);
    request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
    for (const auto& d : digests) *request.add_digests() = d;
    for (int c : acceptable) {
      request.add_acceptable_compressors(static_cast<v2::Compressor::Value>(c));
    }
    v2::BatchReadBlobsResponse response;
    EXPECT_TRUE(has_code(batch_read(request, response), grpc::StatusCode::OK));
    EXPECT_EQ(response.responses_size(), request.digests_size());
    std::vector<v2::BatchReadBlobsResponse::Response> out(response.responses().begin(),
                                                          response.responses().end());
    for (std::size_t i = 0; i < out.size() && i < digests.size(); ++i) {
      EXPECT_EQ(out[i].digest().hash(), digests[i].hash());
      EXPECT_EQ(out[i].digest().size_bytes(), digests[i].size_bytes());
    }
    out.resize(digests.size());
    return out;
  }

  std::int64_t batch_limit() const { return default_config().max_batch_total_size_bytes; }
};

// CAS-BRD-01, CAS-BRD-02, CAS-BRD-03: present blobs come back byte for byte, absent ones are
// NOT_FOUND per blob with no data, and the RPC is OK.
TEST_P(BatchReadBlobsTest, PresentAndAbsentBlobs) {
  const Blob one = make_blob(random_bytes(1, 1));
  const Blob kib = make_blob(random_bytes(1024, 2));
  const Blob big = make_blob(random_bytes(100 << 10, 3));
  ASSERT_TRUE(upload({one, kib, big}));
  const v2::Digest absent = absent_digest(5);
  const auto responses = read_blobs({one.digest, absent, kib.digest, big.digest});
  for (std::size_t i : {0u, 2u, 3u}) {
    EXPECT_TRUE(has_code(responses[i].status(), grpc::StatusCode::OK));
    EXPECT_EQ(responses[i].compressor(), v2::Compressor::IDENTITY);
  }
  EXPECT_EQ(responses[0].data(), one.data);
  EXPECT_EQ(responses[2].data(), kib.data);
  EXPECT_EQ(responses[3].data(), big.data);
  EXPECT_TRUE(has_code(responses[1].status(), grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(responses[1].data().empty());
}

// CAS-BRD-08, COM-05: the empty blob is there without an upload, for every served function.
TEST_P(BatchReadBlobsTest, EmptyBlobIsAlwaysPresent) {
  for (reapi::DigestFunction fn :
       {reapi::DigestFunction::sha256, reapi::DigestFunction::sha1, reapi::DigestFunction::md5,
        reapi::DigestFunction::sha384, reapi::DigestFunction::sha512}) {
    SCOPED_TRACE(std::string(reapi::name(fn)));
    const auto responses =
        read_blobs({reapi::to_proto(reapi::empty_digest(fn))}, {}, "", static_cast<int>(fn));
    EXPECT_TRUE(has_code(responses[0].status(), grpc::StatusCode::OK));
    EXPECT_TRUE(responses[0].data().empty());
  }
}

// CAS-BRD-09, COM-03 (b): the hash of a stored blob with a wrong size does not return it.
TEST_P(BatchReadBlobsTest, WrongSizeOfStoredHashIsNotFound) {
  const Blob hello = make_blob("hello");
  ASSERT_TRUE(upload({hello}));
  const auto responses =
      read_blobs({digest(hello.digest.hash(), 4), digest(hello.digest.hash(), 6)});
  for (const auto& r : responses) {
    EXPECT_TRUE(has_code(r.status(), grpc::StatusCode::NOT_FOUND));
    EXPECT_TRUE(r.data().empty());
  }
}

// CAS-BRD-10, COM-02, COM-04: malformed digests get INVALID_ARGUMENT as their own status;
// the other entries are served.
TEST_P(BatchReadBlobsTest, MalformedDigestIsInvalidArgumentPerEntry) {
  const Blob a = make_blob("readable");
  ASSERT_TRUE(upload({a}));
  const auto responses =
      read_blobs({a.digest, digest("xyz", 3), digest(to_upper(a.digest.hash()), 8),
                  digest(a.digest.hash(), -8)});
  EXPECT_TRUE(has_code(responses[0].status(), grpc::StatusCode::OK));
  EXPECT_EQ(responses[0].data(), a.data);
  for (std::size_t i = 1; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(has_code(responses[i].status(), grpc::StatusCode::INVALID_ARGUMENT));
    EXPECT_TRUE(responses[i].data().empty());
  }
}

// CAS-BRD-05: sizes adding up to one byte over the limit fail the call; each half alone is
// fine.
TEST_P(BatchReadBlobsTest, OverTheBatchLimitFailsTheCall) {
  const std::int64_t half = batch_limit() / 2;
  const Blob a = make_blob(random_bytes(static_cast<std::size_t>(half), 31));
  const Blob b = make_blob(random_bytes(static_cast<std::size_t>(batch_limit() - half + 1), 32));
  ASSERT_TRUE(upload({a}));
  ASSERT_TRUE(upload({b}));
  v2::BatchReadBlobsRequest request;
  *request.add_digests() = a.digest;
  *request.add_digests() = b.digest;
  v2::BatchReadBlobsResponse response;
  EXPECT_TRUE(has_code(batch_read(request, response), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(response.responses_size(), 0);
  EXPECT_EQ(read_blobs({b.digest})[0].data(), b.data);
}

// CAS-BUP-06 for reads, CAP-10: exactly the limit fits a default client's 4 MiB receive limit.
TEST_P(BatchReadBlobsTest, ExactlyAtTheBatchLimitFitsTheClient) {
  const std::int64_t half = batch_limit() / 2;
  const Blob a = make_blob(random_bytes(static_cast<std::size_t>(half), 41));
  const Blob b = make_blob(random_bytes(static_cast<std::size_t>(batch_limit() - half), 42));
  ASSERT_TRUE(upload({a}));
  ASSERT_TRUE(upload({b}));
  const auto responses = read_blobs({a.digest, b.digest});
  EXPECT_EQ(responses[0].data(), a.data);
  EXPECT_EQ(responses[1].data(), b.data);
}

// CAS-BRD-06: with ZSTD acceptable, each entry is IDENTITY or ZSTD and decodes to the blob;
// the reference server uses ZSTD where it saves bytes.
TEST_P(BatchReadBlobsTest, ZstdAcceptableDecodesToTheBlob) {
  const Blob compressible = make_blob(compressible_bytes(300000, 5));
  const Blob noise = make_blob(random_bytes(5000, 6));
  const Blob tiny = make_blob("t");
  ASSERT_TRUE(upload({compressible, noise, tiny}));
  const auto responses =
      read_blobs({compressible.digest, noise.digest, tiny.digest,
                  reapi::to_proto(reapi::empty_digest(reapi::DigestFunction::sha256))},
                 {v2::Compressor::ZSTD});
  const std::vector<std::string> expected{compressible.data, noise.data, tiny.data, ""};
  for (std::size_t i = 0; i < responses.size(); ++i) {
    SCOPED_TRACE(i);
    const auto& r = responses[i];
    ASSERT_TRUE(has_code(r.status(), grpc::StatusCode::OK));
    ASSERT_TRUE(r.compressor() == v2::Compressor::IDENTITY ||
                r.compressor() == v2::Compressor::ZSTD)
        << r.compressor();
    EXPECT_EQ(r.compressor() == v2::Compressor::ZSTD ? unzstd(r.data()) : r.data(), expected[i]);
  }
  EXPECT_EQ(responses[0].compressor(), v2::Compressor::ZSTD);
  EXPECT_LT(responses[0].data().size(), compressible.data.size());
}

// CAS-BRD-06, CAS-BRD-07: no acceptable compressors, or only ones the server does not
// support, give IDENTITY entries and no error.
TEST_P(BatchReadBlobsTest, IdentityUnlessZstdIsAcceptable) {
  const Blob compressible = make_blob(compressible_bytes(100000, 7));
  ASSERT_TRUE(upload({compressible}));
  for (const std::vector<int>& acceptable :
       {std::vector<int>{}, std::vector<int>{v2::Compressor::BROTLI, v2::Compressor::DEFLATE},
        std::vector<int>{v2::Compressor::IDENTITY}}) {
    const auto responses = read_blobs({compressible.digest}, acceptable);
    EXPECT_TRUE(has_code(responses[0].status(), grpc::StatusCode::OK));
    EXPECT_EQ(responses[0].compressor(), v2::Compressor::IDENTITY);
    EXPECT_EQ(responses[0].data(), compressible.data);
  }
}

// CAS-BRD-11: a digest asked for twice is answered twice with its data.
TEST_P(BatchReadBlobsTest, DuplicatesAreAnsweredPerOccurrence) {
  const Blob a = make_blob("asked twice");
  ASSERT_TRUE(upload({a}));
  const auto responses = read_blobs({a.digest, a.digest});
  for (const auto& r : responses) {
    EXPECT_TRUE(has_code(r.status(), grpc::StatusCode::OK));
    EXPECT_EQ(r.data(), a.data);
  }
}

// CAS-BRD-12: an empty request is OK with no responses.
TEST_P(BatchReadBlobsTest, EmptyRequestIsOk) { EXPECT_TRUE(read_blobs({}).empty()); }

// COM-07: an explicit function reads blobs stored under it; COM-09: BLAKE3 is refused per
// entry.
TEST_P(BatchReadBlobsTest, DigestFunctions) {
  const Blob sha512 = make_blob("sha512 read", reapi::DigestFunction::sha512);
  ASSERT_TRUE(upload({sha512}, "", v2::DigestFunction::SHA512));
  auto responses = read_blobs({sha512.digest}, {}, "", v2::DigestFunction::SHA512);
  EXPECT_EQ(responses[0].data(), sha512.data);
  responses = read_blobs({absent_digest()}, {}, "", v2::DigestFunction::BLAKE3);
  EXPECT_TRUE(has_code(responses[0].status(), grpc::StatusCode::INVALID_ARGUMENT));
}

// COM-11, COM-13: "a/b" reads its blobs; an unknown instance fails the call.
TEST_P(BatchReadBlobsTest, Instances) {
  const Blob a = make_blob("read from a/b");
  ASSERT_TRUE(upload({a}, "a/b"));
  EXPECT_EQ(read_blobs({a.digest}, {}, "a/b")[0].data(), a.data);
  v2::BatchReadBlobsRequest request;
  request.set_instance_name("x/y");
  *request.add_digests() = a.digest;
  v2::BatchReadBlobsResponse response;
  EXPECT_TRUE(has_code(batch_read(request, response), grpc::StatusCode::INVALID_ARGUMENT));
}

INSTANTIATE_ON_BOTH_BACKENDS(BatchReadBlobsTest);

}  // namespace
}  // namespace reference::testing
