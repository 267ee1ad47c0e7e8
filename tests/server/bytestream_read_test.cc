// ByteStream Read of the reference server (shared/reapi/bytestream.md sections 1, 2, 5).

#include <rapidcheck.h>

#include "server_fixture.h"

namespace reference::testing {
namespace {

constexpr std::size_t kMiB = 1 << 20;

class ByteStreamReadTest : public ServerTest {
 protected:
  // Stores `blob`: batches below the limit, ByteStream above it.
  ::testing::AssertionResult store(const Blob& blob, const std::string& instance = "") {
    if (blob.digest.size_bytes() < (1 << 20)) return upload({blob}, instance);
    return write_blob(blob, instance);
  }
};

// BS-READ-01, BS-READ-08, BS-READ-10, BS-READ-12, BS-NAME-01: whole blobs of the sizes
// around the 1 MiB message size come back exactly, in messages of at most 1 MiB.
TEST_P(ByteStreamReadTest, FullReadsInMessagesOfAtMostOneMiB) {
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, kMiB - 1, kMiB, kMiB + 1, 5 * kMiB + 12345}) {
    SCOPED_TRACE(size);
    const Blob blob = make_blob(random_bytes(size, size + 1));
    ASSERT_TRUE(store(blob));
    const ReadResult r = read(read_name(blob.digest));
    ASSERT_TRUE(has_code(r.status, grpc::StatusCode::OK));
    EXPECT_TRUE(r.data == blob.data) << "data differs";
    for (std::size_t m : r.message_sizes) EXPECT_LE(m, kMiB);
    EXPECT_EQ(r.message_sizes.size(), (size + kMiB - 1) / kMiB);
  }
}

// BS-READ-12, COM-05: the empty blob of every served function reads as zero bytes, never
// uploaded.
TEST_P(ByteStreamReadTest, EmptyBlobOfEveryFunction) {
  for (reapi::DigestFunction fn :
       {reapi::DigestFunction::sha256, reapi::DigestFunction::sha1, reapi::DigestFunction::md5,
        reapi::DigestFunction::sha384, reapi::DigestFunction::sha512}) {
    SCOPED_TRACE(std::string(reapi::name(fn)));
    const ReadResult r = read(read_name(reapi::to_proto(reapi::empty_digest(fn))));
    EXPECT_TRUE(has_code(r.status, grpc::StatusCode::OK));
    EXPECT_TRUE(r.data.empty());
  }
}

// BS-READ-03, BS-READ-06, BS-READ-07, BS-READ-08, BS-READ-14: any offset in [0, size] and any
// non-negative limit return exactly blob[offset, offset + limit) (limit 0 = to the end).
TEST_P(ByteStreamReadTest, OffsetAndLimitProperty) {
  std::vector<Blob> blobs;
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{1000}, kMiB + 17, 2 * kMiB + kMiB / 2}) {
    blobs.push_back(make_blob(random_bytes(size, 77 + size)));
    ASSERT_TRUE(store(blobs.back()));
  }
  check_property(60, 100, [&] {
    const Blob& blob = *rc::gen::elementOf(blobs);
    const auto size = static_cast<std::int64_t>(blob.data.size());
    const auto offset = *rc::gen::oneOf(rc::gen::inRange<std::int64_t>(0, size + 1),
                                        rc::gen::element<std::int64_t>(0, size));
    const auto limit = *rc::gen::oneOf(rc::gen::just<std::int64_t>(0),
                                       rc::gen::inRange<std::int64_t>(1, size + 20),
                                       rc::gen::inRange<std::int64_t>(1, 100));
    const ReadResult r = read(read_name(blob.digest), offset, limit);
    RC_ASSERT(r.status.ok());
    const auto count = limit == 0 ? std::string::npos : static_cast<std::size_t>(limit);
    RC_ASSERT(r.data == blob.data.substr(static_cast<std::size_t>(offset), count));
    for (std::size_t m : r.message_sizes) RC_ASSERT(m <= kMiB);
  });
}

// BS-READ-06: an offset equal to the size is an empty, successful read.
TEST_P(ByteStreamReadTest, OffsetEqualToSizeIsEmptyOk) {
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  const ReadResult r = read(read_name(blob.digest), 5);
  EXPECT_TRUE(has_code(r.status, grpc::StatusCode::OK));
  EXPECT_TRUE(r.data.empty());
}

// BS-READ-04, BS-READ-05: offsets past the end or negative are OUT_OF_RANGE.
TEST_P(ByteStreamReadTest, OffsetOutOfRange) {
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  for (std::int64_t offset : {std::int64_t{6}, std::int64_t{1000}, std::int64_t{-1},
                              std::numeric_limits<std::int64_t>::min()}) {
    SCOPED_TRACE(offset);
    const ReadResult r = read(read_name(blob.digest), offset);
    EXPECT_TRUE(has_code(r.status, grpc::StatusCode::OUT_OF_RANGE));
    EXPECT_TRUE(r.data.empty());
  }
  // The empty blob: only offset 0 is in range.
  const v2::Digest empty = reapi::to_proto(reapi::empty_digest(reapi::DigestFunction::sha256));
  EXPECT_TRUE(has_code(read(read_name(empty), 1).status, grpc::StatusCode::OUT_OF_RANGE));
}

// BS-READ-09: a negative read_limit is INVALID_ARGUMENT.
TEST_P(ByteStreamReadTest, NegativeLimitIsInvalidArgument) {
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  EXPECT_TRUE(
      has_code(read(read_name(blob.digest), 0, -1).status, grpc::StatusCode::INVALID_ARGUMENT));
}

// BS-READ-02, BS-READ-13, COM-03 (c): absent blobs and wrong sizes are NOT_FOUND.
TEST_P(ByteStreamReadTest, AbsentIsNotFound) {
  const ReadResult absent = read(read_name(absent_digest(10)));
  EXPECT_TRUE(has_code(absent.status, grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(absent.data.empty());
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  EXPECT_TRUE(
      has_code(read(read_name(digest(blob.digest.hash(), 6))).status, grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(
      has_code(read(read_name(digest(blob.digest.hash(), 4))).status, grpc::StatusCode::NOT_FOUND));
}

// BS-NAME-06, BS-NAME-07, COM-02, COM-04 (ambiguity B6, B7): malformed read names are
// INVALID_ARGUMENT, also for a stored blob.
TEST_P(ByteStreamReadTest, MalformedNamesAreInvalidArgument) {
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  const std::string& hash = blob.digest.hash();
  for (const std::string& name :
       {std::string(""), "blobs/" + hash, "blobs/" + hash + "/", "blobs/" + hash + "/abc",
        "blobs/" + hash + "/-5", "blobs/" + hash + "/+5", "blobs/" + hash + "/5/extra",
        "blobs/" + to_upper(hash) + "/5", "blobs/" + hash.substr(1) + "/5",
        "blobs/sha256/" + hash + "/5", "/blobs/" + hash + "/5", "blob/" + hash + "/5",
        "uploads/" + new_uuid() + "/blobs/" + hash + "/5", "blobs/blake3/" + hash + "/5",
        "blobs//" + hash + "/5"}) {
    SCOPED_TRACE(name);
    const ReadResult r = read(name);
    EXPECT_TRUE(has_code(r.status, grpc::StatusCode::INVALID_ARGUMENT));
    EXPECT_TRUE(r.data.empty());
  }
}

// BS-COMP-01, BS-COMP-02, BS-COMP-06, BS-NAME-08: a zstd read from any offset decodes to the
// blob from that offset; messages stay within 1 MiB.
TEST_P(ByteStreamReadTest, ZstdReadDecodesFromTheOffset) {
  const Blob noise = make_blob(random_bytes(2 * kMiB + 5, 90));
  const Blob text = make_blob(compressible_bytes(3 * kMiB, 91));
  const Blob small = make_blob("small");
  for (const Blob* blob : {&noise, &text, &small}) {
    ASSERT_TRUE(store(*blob));
    const auto size = static_cast<std::int64_t>(blob->data.size());
    for (std::int64_t offset : {std::int64_t{0}, std::int64_t{1}, size / 2, size - 1, size}) {
      SCOPED_TRACE(offset);
      const ReadResult r = read(compressed_read_name(blob->digest), offset);
      ASSERT_TRUE(has_code(r.status, grpc::StatusCode::OK));
      EXPECT_TRUE(unzstd(r.data) == blob->data.substr(static_cast<std::size_t>(offset)));
      for (std::size_t m : r.message_sizes) EXPECT_LE(m, kMiB);
    }
  }
  // Compression actually happens for compressible data.
  EXPECT_LT(read(compressed_read_name(text.digest)).data.size(), text.data.size() / 10);
}

// BS-COMP-02 as a property over small blobs and offsets.
TEST_P(ByteStreamReadTest, ZstdReadProperty) {
  check_property(30, 100, [&] {
    const auto size = *rc::gen::inRange<std::size_t>(0, 70000);
    const Blob blob = make_blob(*rc::gen::arbitrary<bool>() ? random_bytes(size, size)
                                                            : compressible_bytes(size, size));
    RC_ASSERT(bool(upload({blob})));
    const auto offset = *rc::gen::inRange<std::int64_t>(0, static_cast<std::int64_t>(size) + 1);
    const ReadResult r = read(compressed_read_name(blob.digest), offset);
    RC_ASSERT(r.status.ok());
    const auto decoded = try_unzstd(r.data);
    RC_ASSERT(decoded.has_value());
    RC_ASSERT(*decoded == blob.data.substr(static_cast<std::size_t>(offset)));
  });
}

// BS-COMP-03: a compressed read with a read_limit is INVALID_ARGUMENT.
TEST_P(ByteStreamReadTest, ZstdReadWithLimitIsInvalidArgument) {
  const Blob blob = make_blob("hello compressed");
  ASSERT_TRUE(store(blob));
  EXPECT_TRUE(has_code(read(compressed_read_name(blob.digest), 0, 10).status,
                       grpc::StatusCode::INVALID_ARGUMENT));
}

// BS-COMP-02 offsets are still bounded: past the end and negative are OUT_OF_RANGE.
TEST_P(ByteStreamReadTest, ZstdReadOffsetOutOfRange) {
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  EXPECT_TRUE(
      has_code(read(compressed_read_name(blob.digest), 6).status, grpc::StatusCode::OUT_OF_RANGE));
  EXPECT_TRUE(
      has_code(read(compressed_read_name(blob.digest), -1).status, grpc::StatusCode::OUT_OF_RANGE));
}

// BS-NAME-09: compressors not advertised (deflate, brotli), identity and unknown words are
// INVALID_ARGUMENT.
TEST_P(ByteStreamReadTest, UnsupportedCompressorIsInvalidArgument) {
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  for (const std::string compressor : {"deflate", "brotli", "identity", "lzma", "ZSTD"}) {
    SCOPED_TRACE(compressor);
    EXPECT_TRUE(has_code(read(compressed_read_name(blob.digest, "", compressor)).status,
                         grpc::StatusCode::INVALID_ARGUMENT));
  }
}

// BS-COMP-10: a compressed read of the empty blob succeeds and decodes to nothing.
TEST_P(ByteStreamReadTest, ZstdReadOfEmptyBlob) {
  const ReadResult r = read(
      compressed_read_name(reapi::to_proto(reapi::empty_digest(reapi::DigestFunction::sha256))));
  ASSERT_TRUE(has_code(r.status, grpc::StatusCode::OK));
  if (!r.data.empty()) {
    EXPECT_EQ(unzstd(r.data), "");
  }
}

// BS-COMP-07: a compressed read of an absent blob is NOT_FOUND.
TEST_P(ByteStreamReadTest, ZstdReadOfAbsentBlobIsNotFound) {
  EXPECT_TRUE(
      has_code(read(compressed_read_name(absent_digest(10))).status, grpc::StatusCode::NOT_FOUND));
}

// BS-NAME-01, BS-NAME-05, COM-11: a multi-segment instance in read names, plain and zstd;
// BS-NAME-05: 40-hex names are SHA-1.
TEST_P(ByteStreamReadTest, InstanceAndFunctionInNames) {
  const Blob blob = make_blob("in a/b");
  ASSERT_TRUE(store(blob, "a/b"));
  EXPECT_EQ(read(read_name(blob.digest, "a/b")).data, blob.data);
  EXPECT_EQ(unzstd(read(compressed_read_name(blob.digest, "a/b")).data), blob.data);
  const Blob sha1 = make_blob("sha1 via bytestream", reapi::DigestFunction::sha1);
  ASSERT_TRUE(upload({sha1}, "", v2::DigestFunction::SHA1));
  EXPECT_EQ(read(read_name(sha1.digest)).data, sha1.data);
}

// COM-12, COM-13: unknown instances and reserved words in the instance part are refused.
TEST_P(ByteStreamReadTest, UnknownInstanceIsInvalidArgument) {
  const Blob blob = make_blob("hello");
  ASSERT_TRUE(store(blob));
  for (const std::string instance : {"x", "a", "a/b/c", "operations"}) {
    SCOPED_TRACE(instance);
    EXPECT_TRUE(has_code(read(read_name(blob.digest, instance)).status,
                         grpc::StatusCode::INVALID_ARGUMENT));
  }
}

INSTANTIATE_ON_BOTH_BACKENDS(ByteStreamReadTest);

}  // namespace
}  // namespace reference::testing
