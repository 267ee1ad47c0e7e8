// BatchUpdateBlobs of the reference server (shared/reapi/cas.md section 2).

#include "server_fixture.h"

namespace reference::testing {
namespace {

class BatchUpdateBlobsTest : public ServerTest {
 protected:
  static v2::BatchUpdateBlobsRequest::Request entry(const v2::Digest& d, std::string data,
                                                    int compressor = v2::Compressor::IDENTITY) {
    v2::BatchUpdateBlobsRequest::Request e;
    *e.mutable_digest() = d;
    e.set_data(std::move(data));
    e.set_compressor(static_cast<v2::Compressor::Value>(compressor));
    return e;
  }

  // Sends the entries; the RPC must be OK with one response per entry, in request order,
  // each echoing its digest (CAS-BUP-01, CAS-BUP-02; the reference server keeps order, N2).
  std::vector<google::rpc::Status> update(
      const std::vector<v2::BatchUpdateBlobsRequest::Request>& entries,
      const std::string& instance = "", int digest_function = 0) {
    v2::BatchUpdateBlobsRequest request;
    request.set_instance_name(instance);
    request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
    for (const auto& e : entries) *request.add_requests() = e;
    v2::BatchUpdateBlobsResponse response;
    const grpc::Status status = batch_update(request, response);
    EXPECT_TRUE(has_code(status, grpc::StatusCode::OK));
    std::vector<google::rpc::Status> out;
    EXPECT_EQ(response.responses_size(), request.requests_size());
    for (int i = 0; i < response.responses_size() && i < request.requests_size(); ++i) {
      EXPECT_EQ(response.responses(i).digest().hash(), request.requests(i).digest().hash());
      EXPECT_EQ(response.responses(i).digest().size_bytes(),
                request.requests(i).digest().size_bytes());
      out.push_back(response.responses(i).status());
    }
    out.resize(static_cast<std::size_t>(request.requests_size()));
    return out;
  }

  // The blob's bytes through BatchReadBlobs without compression, or nullopt if not OK.
  std::optional<std::string> read_back(const v2::Digest& d) {
    v2::BatchReadBlobsRequest request;
    *request.add_digests() = d;
    v2::BatchReadBlobsResponse response;
    if (!batch_read(request, response).ok() || response.responses_size() != 1 ||
        response.responses(0).status().code() != 0) {
      return std::nullopt;
    }
    EXPECT_EQ(response.responses(0).compressor(), v2::Compressor::IDENTITY);
    return response.responses(0).data();
  }

  std::int64_t batch_limit() const { return default_config().max_batch_total_size_bytes; }
};

// CAS-BUP-01, CAS-BUP-03, CAS-BUP-14: a good and a bad entry succeed and fail independently;
// the good one is readable at once, the bad one is not stored.
TEST_P(BatchUpdateBlobsTest, GoodAndBadEntriesAreIndependent) {
  const Blob good = make_blob("good blob");
  const Blob other = make_blob("abd");
  const auto statuses = update({entry(good.digest, good.data), entry(other.digest, "abc")});
  EXPECT_TRUE(has_code(statuses[0], grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(statuses[1], grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(is_stored(good.digest));
  EXPECT_EQ(read_back(good.digest), good.data);
  EXPECT_FALSE(is_stored(other.digest));
}

// CAS-BUP-03, COM-03 (d): data whose length differs from size_bytes is refused per entry.
TEST_P(BatchUpdateBlobsTest, SizeMismatchIsInvalidArgument) {
  const Blob abc = make_blob("abc");
  const v2::Digest too_long = digest(abc.digest.hash(), 4);
  const v2::Digest too_short = digest(abc.digest.hash(), 2);
  const auto statuses = update({entry(too_long, "abc"), entry(too_short, "abc")});
  EXPECT_TRUE(has_code(statuses[0], grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(statuses[1], grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(too_long));
  EXPECT_FALSE(is_stored(too_short));
  EXPECT_FALSE(is_stored(abc.digest));
}

// CAS-BUP-02: five distinct blobs, five responses with their digests.
TEST_P(BatchUpdateBlobsTest, OneResponsePerBlob) {
  std::vector<v2::BatchUpdateBlobsRequest::Request> entries;
  for (int i = 0; i < 5; ++i) {
    const Blob b = make_blob(random_bytes(100 * i, 500 + i));
    entries.push_back(entry(b.digest, b.data));
  }
  for (const auto& status : update(entries)) EXPECT_TRUE(has_code(status, grpc::StatusCode::OK));
  for (const auto& e : entries) EXPECT_EQ(read_back(e.digest()), e.data());
}

// CAS-BUP-05, CAP-09: blobs adding up to one byte over the advertised limit fail the whole
// call with INVALID_ARGUMENT, no responses, nothing stored.
TEST_P(BatchUpdateBlobsTest, OverTheBatchLimitFailsTheCall) {
  const std::int64_t half = batch_limit() / 2;
  const Blob a = make_blob(random_bytes(static_cast<std::size_t>(half), 1));
  const Blob b = make_blob(random_bytes(static_cast<std::size_t>(batch_limit() - half + 1), 2));
  v2::BatchUpdateBlobsRequest request;
  for (const Blob* blob : {&a, &b}) {
    *request.add_requests() = entry(blob->digest, blob->data);
  }
  v2::BatchUpdateBlobsResponse response;
  EXPECT_TRUE(has_code(batch_update(request, response), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(response.responses_size(), 0);
  EXPECT_FALSE(is_stored(a.digest));
  EXPECT_FALSE(is_stored(b.digest));
}

// CAS-BUP-06, CAP-10: a batch of exactly the advertised limit is accepted (neither the handler
// nor gRPC's receive limit refuses it).
TEST_P(BatchUpdateBlobsTest, ExactlyAtTheBatchLimitIsAccepted) {
  const std::int64_t third = batch_limit() / 3;
  std::vector<Blob> blobs{
      make_blob(random_bytes(static_cast<std::size_t>(third), 11)),
      make_blob(random_bytes(static_cast<std::size_t>(third), 12)),
      make_blob(random_bytes(static_cast<std::size_t>(batch_limit() - 2 * third), 13))};
  std::vector<v2::BatchUpdateBlobsRequest::Request> entries;
  for (const Blob& b : blobs) entries.push_back(entry(b.digest, b.data));
  for (const auto& status : update(entries)) EXPECT_TRUE(has_code(status, grpc::StatusCode::OK));
  for (const Blob& b : blobs) EXPECT_TRUE(is_stored(b.digest));
}

// CAS-BUP-09, CAP-13: a zstd entry (digest of the uncompressed blob) is stored uncompressed.
TEST_P(BatchUpdateBlobsTest, ZstdEntryIsStoredDecompressed) {
  const Blob blob = make_blob(compressible_bytes(200000, 3));
  const Blob small = make_blob("x");
  // A multiple of zstd's 128 KiB block: the frame ends exactly at an output-buffer boundary.
  const Blob blocks = make_blob(compressible_bytes(1 << 20, 4));
  const Blob noise = make_blob(random_bytes(100000, 5));  // zstd stores it nearly as is
  const auto statuses = update({entry(blob.digest, zstd(blob.data), v2::Compressor::ZSTD),
                                entry(small.digest, zstd(small.data), v2::Compressor::ZSTD),
                                entry(blocks.digest, zstd(blocks.data), v2::Compressor::ZSTD),
                                entry(noise.digest, zstd(noise.data), v2::Compressor::ZSTD)});
  EXPECT_TRUE(has_code(statuses[0], grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(statuses[1], grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(statuses[2], grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(statuses[3], grpc::StatusCode::OK));
  EXPECT_EQ(read_back(blob.digest), blob.data);
  EXPECT_EQ(read_back(small.digest), small.data);
  EXPECT_TRUE(read_back(blocks.digest) == blocks.data);
  EXPECT_EQ(read_back(noise.digest), noise.data);
}

// CAS-BUP-10: zstd of other content, bytes that are not zstd, a truncated frame, and a frame
// that decodes to more than the digest's size are refused per entry and not stored.
TEST_P(BatchUpdateBlobsTest, BadZstdEntriesAreInvalidArgument) {
  const Blob x1 = make_blob("content one " + random_bytes(100, 21));
  const Blob x2 = make_blob("content two " + random_bytes(100, 22));
  const Blob x3 = make_blob("content three " + random_bytes(100, 23));
  const Blob x4 = make_blob("content four");
  const Blob good = make_blob("content good");
  const std::string frame = zstd(x3.data);
  const auto statuses =
      update({entry(x1.digest, zstd("something else entirely"), v2::Compressor::ZSTD),
              entry(x2.digest, random_bytes(300, 24), v2::Compressor::ZSTD),
              entry(x3.digest, frame.substr(0, frame.size() - 3), v2::Compressor::ZSTD),
              entry(x4.digest, zstd(x4.data + "!"), v2::Compressor::ZSTD),
              entry(good.digest, zstd(good.data), v2::Compressor::ZSTD)});
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(
        has_code(statuses[static_cast<std::size_t>(i)], grpc::StatusCode::INVALID_ARGUMENT));
  }
  EXPECT_TRUE(has_code(statuses[4], grpc::StatusCode::OK));
  for (const Blob* b : {&x1, &x2, &x3, &x4}) EXPECT_FALSE(is_stored(b->digest));
  EXPECT_TRUE(is_stored(good.digest));
}

// CAS-BUP-11: compressors not advertised (DEFLATE, BROTLI) or not defined are refused per
// entry, even when the data is the plain blob.
TEST_P(BatchUpdateBlobsTest, UnsupportedCompressorIsInvalidArgument) {
  const Blob deflate = make_blob("sent as deflate");
  const Blob brotli = make_blob("sent as brotli");
  const Blob unknown = make_blob("sent with compressor 17");
  const auto statuses = update({entry(deflate.digest, deflate.data, v2::Compressor::DEFLATE),
                                entry(brotli.digest, brotli.data, v2::Compressor::BROTLI),
                                entry(unknown.digest, unknown.data, 17)});
  for (const auto& status : statuses) {
    EXPECT_TRUE(has_code(status, grpc::StatusCode::INVALID_ARGUMENT));
  }
  EXPECT_FALSE(is_stored(deflate.digest));
  EXPECT_FALSE(is_stored(brotli.digest));
  EXPECT_FALSE(is_stored(unknown.digest));
}

// CAS-BUP-08, CAS-BUP-07: duplicates each succeed; re-uploading a stored blob succeeds.
TEST_P(BatchUpdateBlobsTest, DuplicatesAndReuploadsSucceed) {
  const Blob a = make_blob("duplicate me");
  const auto first = update({entry(a.digest, a.data), entry(a.digest, a.data)});
  EXPECT_TRUE(has_code(first[0], grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(first[1], grpc::StatusCode::OK));
  const auto again = update({entry(a.digest, a.data)});
  EXPECT_TRUE(has_code(again[0], grpc::StatusCode::OK));
  EXPECT_EQ(read_back(a.digest), a.data);
}

// CAS-BUP-13: an empty request is OK with no responses.
TEST_P(BatchUpdateBlobsTest, EmptyRequestIsOk) {
  v2::BatchUpdateBlobsRequest request;
  v2::BatchUpdateBlobsResponse response;
  EXPECT_TRUE(has_code(batch_update(request, response), grpc::StatusCode::OK));
  EXPECT_EQ(response.responses_size(), 0);
}

// COM-06: uploading the empty blob succeeds (also zstd-compressed).
TEST_P(BatchUpdateBlobsTest, EmptyBlobUploadSucceeds) {
  const Blob empty = make_blob("");
  const auto statuses =
      update({entry(empty.digest, ""), entry(empty.digest, zstd(""), v2::Compressor::ZSTD)});
  EXPECT_TRUE(has_code(statuses[0], grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(statuses[1], grpc::StatusCode::OK));
  EXPECT_EQ(read_back(empty.digest), "");
}

// CAS-BUP-15, COM-02, COM-04: malformed digests are refused per entry; the rest succeed.
TEST_P(BatchUpdateBlobsTest, MalformedDigestIsInvalidArgumentPerEntry) {
  const Blob good = make_blob("good next to bad ones");
  const Blob upper = make_blob("uppercase");
  const auto statuses =
      update({entry(good.digest, good.data), entry(digest("nothex", 3), "abc"),
              entry(digest(to_upper(upper.digest.hash()), upper.digest.size_bytes()), upper.data),
              entry(digest(upper.digest.hash(), -1), upper.data)});
  EXPECT_TRUE(has_code(statuses[0], grpc::StatusCode::OK));
  for (std::size_t i = 1; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(has_code(statuses[i], grpc::StatusCode::INVALID_ARGUMENT));
  }
  EXPECT_TRUE(is_stored(good.digest));
  EXPECT_FALSE(is_stored(upper.digest));
}

// COM-07, COM-09: explicit digest functions hash the data with that function; unsupported
// ones are refused per entry.
TEST_P(BatchUpdateBlobsTest, DigestFunctionSelectsTheHash) {
  const Blob sha1 = make_blob("sha1 blob", reapi::DigestFunction::sha1);
  const Blob sha384 = make_blob("sha384 blob", reapi::DigestFunction::sha384);
  EXPECT_TRUE(has_code(update({entry(sha1.digest, sha1.data)}, "", v2::DigestFunction::SHA1)[0],
                       grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(update({entry(sha384.digest, sha384.data)})[0], grpc::StatusCode::OK));
  EXPECT_TRUE(is_stored(sha1.digest, "", v2::DigestFunction::SHA1));
  EXPECT_TRUE(is_stored(sha384.digest, "", v2::DigestFunction::SHA384));
  const Blob b3 = make_blob("blake3 is not served");
  EXPECT_TRUE(has_code(update({entry(b3.digest, b3.data)}, "", v2::DigestFunction::BLAKE3)[0],
                       grpc::StatusCode::INVALID_ARGUMENT));
}

// CAP-07-like refusal of writes: a read-only server refuses the whole call.
TEST_P(BatchUpdateBlobsTest, ReadOnlyIsPermissionDenied) {
  ServerConfig config = default_config();
  config.read_only = true;
  ASSERT_NO_FATAL_FAILURE(restart(config));
  const Blob a = make_blob("read-only");
  v2::BatchUpdateBlobsRequest request;
  *request.add_requests() = entry(a.digest, a.data);
  v2::BatchUpdateBlobsResponse response;
  EXPECT_TRUE(has_code(batch_update(request, response), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_FALSE(is_stored(a.digest));
}

// COM-11, COM-13: "a/b" is served; an unknown instance fails the call.
TEST_P(BatchUpdateBlobsTest, Instances) {
  const Blob a = make_blob("instance a/b");
  EXPECT_TRUE(has_code(update({entry(a.digest, a.data)}, "a/b")[0], grpc::StatusCode::OK));
  EXPECT_TRUE(is_stored(a.digest, "a/b"));
  v2::BatchUpdateBlobsRequest request;
  request.set_instance_name("unknown");
  *request.add_requests() = entry(a.digest, a.data);
  v2::BatchUpdateBlobsResponse response;
  EXPECT_TRUE(has_code(batch_update(request, response), grpc::StatusCode::INVALID_ARGUMENT));
}

INSTANTIATE_ON_BOTH_BACKENDS(BatchUpdateBlobsTest);

}  // namespace
}  // namespace reference::testing
