// SplitBlob and SpliceBlob of the reference server (shared/reapi/cas.md section 5) and the
// capabilities that advertise them (CAP-19, CAP-20).

#include <rapidcheck.h>

#include <numeric>

#include "server/fast_cdc.h"
#include "server_fixture.h"
#include "storage/storage_spec.h"

namespace reference::testing {
namespace {

using reapi::DigestFunction;

class SplitSpliceTest : public ServerTest {
 protected:
  // Chunks of 1 to 16 KiB (average 4 KiB), so that blobs of tens of KiB have many.
  static constexpr std::uint64_t kSmallAverage = 4096;
  static ServerConfig small_chunks() {
    ServerConfig config = default_config();
    config.fast_cdc_avg_chunk_size = kSmallAverage;
    return config;
  }

  grpc::Status split(const v2::Digest& blob, v2::SplitBlobResponse& out, int digest_function = 0,
                     int chunking_function = 0, const std::string& instance = "") {
    v2::SplitBlobRequest request;
    request.set_instance_name(instance);
    *request.mutable_blob_digest() = blob;
    request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
    request.set_chunking_function(static_cast<v2::ChunkingFunction::Value>(chunking_function));
    return cas().SplitBlob(context().get(), request, &out);
  }

  static v2::SpliceBlobRequest splice_request(const v2::Digest& blob,
                                              const std::vector<v2::Digest>& chunks,
                                              int digest_function = 0) {
    v2::SpliceBlobRequest request;
    *request.mutable_blob_digest() = blob;
    for (const auto& c : chunks) *request.add_chunk_digests() = c;
    request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
    return request;
  }
  grpc::Status splice(const v2::SpliceBlobRequest& request, v2::SpliceBlobResponse& out) {
    return cas().SpliceBlob(context().get(), request, &out);
  }

  static std::vector<v2::Digest> digests(const std::vector<Blob>& blobs) {
    std::vector<v2::Digest> out;
    for (const Blob& b : blobs) out.push_back(b.digest);
    return out;
  }
};

bool same(const v2::Digest& a, const v2::Digest& b) {
  return a.hash() == b.hash() && a.size_bytes() == b.size_bytes();
}

// CAP-19, CAP-20: both flags, with the FastCDC parameters SplitBlob uses (512 KiB, seed 0).
TEST_P(SplitSpliceTest, AdvertisedWithFastCdcParameters) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  const auto& cache = caps.cache_capabilities();
  EXPECT_TRUE(cache.split_blob_support());
  EXPECT_TRUE(cache.splice_blob_support());
  ASSERT_TRUE(cache.has_fast_cdc_2020_params());
  EXPECT_EQ(cache.fast_cdc_2020_params().avg_chunk_size_bytes(), 512u << 10);
  EXPECT_EQ(cache.fast_cdc_2020_params().seed(), 0u);
  EXPECT_FALSE(cache.has_rep_max_cdc_params());
}

// CAS-SPLIT-01, CAP-19: turned off, or on a read-only server (both calls store blobs),
// nothing is advertised and both calls are UNIMPLEMENTED.
TEST_P(SplitSpliceTest, OffOrReadOnlyMeansNotAdvertisedAndUnimplemented) {
  for (const bool read_only : {false, true}) {
    ServerConfig config = default_config();
    config.split_splice = read_only;  // off, or on but read-only
    config.read_only = read_only;
    ASSERT_NO_FATAL_FAILURE(restart(config));
    v2::ServerCapabilities caps;
    ASSERT_TRUE(get_capabilities("", caps).ok());
    EXPECT_FALSE(caps.cache_capabilities().split_blob_support());
    EXPECT_FALSE(caps.cache_capabilities().splice_blob_support());
    EXPECT_FALSE(caps.cache_capabilities().has_fast_cdc_2020_params());
    const Blob empty = make_blob("");  // always stored
    v2::SplitBlobResponse split_out;
    EXPECT_TRUE(has_code(split(empty.digest, split_out), grpc::StatusCode::UNIMPLEMENTED));
    v2::SpliceBlobResponse splice_out;
    EXPECT_TRUE(has_code(splice(splice_request(empty.digest, {empty.digest}), splice_out),
                         grpc::StatusCode::UNIMPLEMENTED));
  }
}

// CAS-SPLIT-02, CAS-SPLIT-03, CAS-SPLIT-05: whatever chunking function is asked for, the
// answer is FastCDC 2020 at the advertised parameters: the chunk boundaries are the
// chunker's, every chunk is stored under the digest of its slice, and they concatenate to
// the blob.
TEST_P(SplitSpliceTest, SplitStoresFastCdcChunksThatReassemble) {
  ASSERT_NO_FATAL_FAILURE(restart(small_chunks()));
  const FastCdc2020 cdc = *FastCdc2020::for_reapi(kSmallAverage, 0);
  check_property(20, 100, [&] {
    const auto size = *rc::gen::inRange<std::size_t>(0, 200 << 10);
    const Blob blob = make_blob(random_bytes(size, *rc::gen::arbitrary<std::uint64_t>()));
    const int asked = *rc::gen::inRange(0, 3);
    const bool explicit_function = *rc::gen::arbitrary<bool>();
    RC_ASSERT(write_blob(blob));
    v2::SplitBlobResponse out;
    const grpc::Status status =
        split(blob.digest, out, explicit_function ? v2::DigestFunction::SHA256 : 0, asked);
    RC_ASSERT(has_code(status, grpc::StatusCode::OK));
    RC_ASSERT(out.chunking_function() == v2::ChunkingFunction::FAST_CDC_2020);
    const auto lengths = cdc.chunk_lengths(blob.data);
    RC_ASSERT(out.chunk_digests_size() == static_cast<int>(lengths.size()));
    std::size_t offset = 0;
    std::vector<v2::Digest> listed;
    for (int i = 0; i < out.chunk_digests_size(); ++i) {
      const std::string slice = blob.data.substr(offset, lengths[static_cast<std::size_t>(i)]);
      RC_ASSERT(same(out.chunk_digests(i), make_blob(slice).digest));
      RC_ASSERT(read(read_name(out.chunk_digests(i))).data == slice);
      listed.push_back(out.chunk_digests(i));
      offset += slice.size();
    }
    RC_ASSERT(offset == blob.data.size());
    std::vector<v2::Digest> missing;
    RC_ASSERT(find_missing(listed, missing).ok());
    RC_ASSERT(missing.empty());
  });
}

// CAS-SPLIT-02 at the default parameters: a 3 MiB blob is several chunks of 128 KiB to
// 2 MiB (the last may be shorter) that concatenate to it.
TEST_P(SplitSpliceTest, SplitOfALargeBlobAtDefaultParameters) {
  const Blob blob = make_blob(random_bytes(3 << 20, 7));
  ASSERT_TRUE(write_blob(blob));
  v2::SplitBlobResponse out;
  ASSERT_TRUE(has_code(split(blob.digest, out), grpc::StatusCode::OK));
  ASSERT_GT(out.chunk_digests_size(), 1);
  std::string joined;
  for (int i = 0; i < out.chunk_digests_size(); ++i) {
    const auto size = out.chunk_digests(i).size_bytes();
    EXPECT_LE(size, 2 << 20);
    if (i + 1 < out.chunk_digests_size()) {
      EXPECT_GE(size, 128 << 10);
    }
    const ReadResult r = read(read_name(out.chunk_digests(i)));
    ASSERT_TRUE(r.status.ok());
    joined += r.data;
  }
  EXPECT_TRUE(joined == blob.data);
}

// CAS-SPLIT-03: the chunks of a SHA-1 blob are SHA-1 digests, with the function named or
// inferred from the hash length.
TEST_P(SplitSpliceTest, ChunksUseTheRequestDigestFunction) {
  ASSERT_NO_FATAL_FAILURE(restart(small_chunks()));
  const Blob blob = make_blob(random_bytes(100 << 10, 3), DigestFunction::sha1);
  ASSERT_TRUE(upload({blob}, "", v2::DigestFunction::SHA1));
  for (const int fn : {0, static_cast<int>(v2::DigestFunction::SHA1)}) {
    v2::SplitBlobResponse out;
    ASSERT_TRUE(has_code(split(blob.digest, out, fn), grpc::StatusCode::OK));
    ASSERT_GT(out.chunk_digests_size(), 1);
    std::size_t offset = 0;
    for (const auto& chunk : out.chunk_digests()) {
      const auto size = static_cast<std::size_t>(chunk.size_bytes());
      EXPECT_TRUE(
          same(chunk, make_blob(blob.data.substr(offset, size), DigestFunction::sha1).digest));
      EXPECT_TRUE(is_stored(chunk, "", v2::DigestFunction::SHA1));
      offset += size;
    }
    EXPECT_EQ(offset, blob.data.size());
  }
}

// CAS-SPLIT-04 and the request checks every call has: absent is NOT_FOUND; a malformed
// digest or an unknown instance is INVALID_ARGUMENT.
TEST_P(SplitSpliceTest, SplitRefusals) {
  v2::SplitBlobResponse out;
  EXPECT_TRUE(has_code(split(absent_digest(5000), out), grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(has_code(split(digest("abc", 3), out), grpc::StatusCode::INVALID_ARGUMENT));
  const Blob blob = make_blob("some bytes");
  ASSERT_TRUE(upload({blob}));
  EXPECT_TRUE(has_code(split(blob.digest, out, 0, 0, "nope"), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(split(blob.digest, out, 0, 0, "a/b"), grpc::StatusCode::OK));
}

// The empty blob (always present) splits into no chunks, and splices from none.
TEST_P(SplitSpliceTest, EmptyBlobHasNoChunks) {
  const Blob empty = make_blob("");
  v2::SplitBlobResponse out;
  ASSERT_TRUE(has_code(split(empty.digest, out), grpc::StatusCode::OK));
  EXPECT_EQ(out.chunk_digests_size(), 0);
  v2::SpliceBlobResponse spliced;
  EXPECT_TRUE(has_code(splice(splice_request(empty.digest, {}), spliced), grpc::StatusCode::OK));
}

// CAS-SPLIT-06: any stored parts splice into their concatenation, which is then readable;
// the answer carries its digest.
TEST_P(SplitSpliceTest, SpliceStoresTheConcatenation) {
  check_property(20, 100, [&] {
    const auto count = *rc::gen::inRange(1, 6);
    std::vector<Blob> parts;
    std::string whole;
    for (int i = 0; i < count; ++i) {
      const auto size = *rc::gen::inRange<std::size_t>(0, 64 << 10);
      parts.push_back(make_blob(random_bytes(size, *rc::gen::arbitrary<std::uint64_t>())));
      whole += parts.back().data;
    }
    RC_ASSERT(upload(parts));
    const Blob blob = make_blob(whole);
    const bool explicit_function = *rc::gen::arbitrary<bool>();
    v2::SpliceBlobResponse out;
    RC_ASSERT(has_code(splice(splice_request(blob.digest, digests(parts),
                                             explicit_function ? v2::DigestFunction::SHA256 : 0),
                              out),
                       grpc::StatusCode::OK));
    RC_ASSERT(same(out.blob_digest(), blob.digest));
    RC_ASSERT(read(read_name(blob.digest)).data == whole);
  });
}

// CAS-SPLIT-07: a chunk that is not stored is NOT_FOUND, and nothing is stored.
TEST_P(SplitSpliceTest, SpliceWithAMissingChunkIsNotFound) {
  const Blob a = make_blob("first part "), b = make_blob("second part");
  ASSERT_TRUE(upload({a}));
  const Blob whole = make_blob(a.data + b.data);
  v2::SpliceBlobResponse out;
  EXPECT_TRUE(has_code(splice(splice_request(whole.digest, {a.digest, b.digest}), out),
                       grpc::StatusCode::NOT_FOUND));
  EXPECT_FALSE(is_stored(whole.digest));
}

// CAS-SPLIT-08: chunks that do not make up blob_digest are INVALID_ARGUMENT and nothing is
// stored: other bytes of the same size, one byte more, the chunks reordered or one left out.
TEST_P(SplitSpliceTest, SpliceVerifiesTheDigest) {
  const Blob a = make_blob(random_bytes(30000, 1)), b = make_blob(random_bytes(20000, 2));
  ASSERT_TRUE(upload({a, b}));
  const Blob whole = make_blob(a.data + b.data);
  v2::Digest longer = whole.digest;
  longer.set_size_bytes(longer.size_bytes() + 1);
  const std::vector<std::pair<v2::Digest, std::vector<v2::Digest>>> bad = {
      {make_blob(random_bytes(50000, 3)).digest, {a.digest, b.digest}},
      {longer, {a.digest, b.digest}},
      {whole.digest, {b.digest, a.digest}},
      {whole.digest, {a.digest}},
      {whole.digest, {a.digest, b.digest, a.digest}},
  };
  for (const auto& [claimed, chunks] : bad) {
    v2::SpliceBlobResponse out;
    EXPECT_TRUE(
        has_code(splice(splice_request(claimed, chunks), out), grpc::StatusCode::INVALID_ARGUMENT));
    EXPECT_FALSE(is_stored(claimed));
  }
}

// CAS-SPLIT-09: splicing a blob already stored (whole, or spliced before) is OK.
TEST_P(SplitSpliceTest, SpliceOfAStoredBlobIsOk) {
  const Blob a = make_blob("alpha-"), b = make_blob("beta");
  ASSERT_TRUE(upload({a, b}));
  const Blob whole = make_blob(a.data + b.data);
  for (int round = 0; round < 2; ++round) {
    v2::SpliceBlobResponse out;
    EXPECT_TRUE(has_code(splice(splice_request(whole.digest, {a.digest, b.digest}), out),
                         grpc::StatusCode::OK));
    EXPECT_TRUE(same(out.blob_digest(), whole.digest));
  }
  const Blob c = make_blob("uploaded whole");
  ASSERT_TRUE(upload({c}));
  v2::SpliceBlobResponse out;
  EXPECT_TRUE(has_code(splice(splice_request(c.digest, {c.digest}), out), grpc::StatusCode::OK));
}

// CAS-SPLIT-10 and malformed requests: no blob_digest, a chunk of another digest function,
// an unknown instance: INVALID_ARGUMENT.
TEST_P(SplitSpliceTest, SpliceRefusesMalformedRequests) {
  const Blob a = make_blob("a chunk");
  ASSERT_TRUE(upload({a}));
  v2::SpliceBlobResponse out;
  v2::SpliceBlobRequest no_digest = splice_request(a.digest, {a.digest});
  no_digest.clear_blob_digest();
  EXPECT_TRUE(has_code(splice(no_digest, out), grpc::StatusCode::INVALID_ARGUMENT));
  const Blob sha1 = make_blob("a chunk", DigestFunction::sha1);
  EXPECT_TRUE(has_code(splice(splice_request(a.digest, {sha1.digest}), out),
                       grpc::StatusCode::INVALID_ARGUMENT));
  v2::SpliceBlobRequest elsewhere = splice_request(a.digest, {a.digest});
  elsewhere.set_instance_name("nope");
  EXPECT_TRUE(has_code(splice(elsewhere, out), grpc::StatusCode::INVALID_ARGUMENT));
}

// CAS-SPLIT-11: a spliced blob the storage cannot hold is RESOURCE_EXHAUSTED (one stored
// chunk listed twice makes a blob larger than the whole storage).
TEST_P(SplitSpliceTest, SpliceWithoutRoomIsResourceExhausted) {
  stop();
  std::optional<TempDir> dir;
  std::string spec = "memory:1MiB";
  if (backend() == Backend::disk) spec = "disk:" + dir.emplace().path().string() + ":1MiB";
  auto storage = open_storage(spec);
  ASSERT_TRUE(storage.ok());
  ServerConfig config = default_config();
  auto server = ReferenceServer::start(config, *std::move(storage));
  ASSERT_TRUE(server.ok()) << server.status().message();
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->ports()[0]),
                                     grpc::InsecureChannelCredentials());
  auto cas = v2::ContentAddressableStorage::NewStub(channel);
  const Blob part = make_blob(random_bytes(600 << 10, 9));
  v2::BatchUpdateBlobsRequest upload_request;
  auto* entry = upload_request.add_requests();
  *entry->mutable_digest() = part.digest;
  entry->set_data(part.data);
  v2::BatchUpdateBlobsResponse uploaded;
  ASSERT_TRUE(cas->BatchUpdateBlobs(context().get(), upload_request, &uploaded).ok());
  ASSERT_EQ(uploaded.responses(0).status().code(), 0);
  v2::SpliceBlobResponse out;
  EXPECT_TRUE(has_code(cas->SpliceBlob(context().get(),
                                       splice_request(make_blob(part.data + part.data).digest,
                                                      {part.digest, part.digest}),
                                       &out),
                       grpc::StatusCode::RESOURCE_EXHAUSTED));
  (*server)->shutdown();
}

INSTANTIATE_ON_BOTH_BACKENDS(SplitSpliceTest);

}  // namespace
}  // namespace reference::testing
