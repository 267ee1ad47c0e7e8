// ByteStream Write of the reference server (shared/reapi/bytestream.md sections 1, 3, 5).

#include <rapidcheck.h>

#include <thread>

#include "server_fixture.h"

namespace reference::testing {
namespace {

constexpr std::size_t kMiB = 1 << 20;

class ByteStreamWriteTest : public ServerTest {
 protected:
  // A blob no other test case uploads.
  Blob fresh_blob(std::size_t size) { return make_blob(random_bytes(size, next_seed_++)); }
  Blob fresh_compressible_blob(std::size_t size) {
    return make_blob(compressible_bytes(size, next_seed_++));
  }

  std::string read_back(const v2::Digest& d, const std::string& instance = "") {
    const ReadResult r = read(read_name(d, instance));
    EXPECT_TRUE(has_code(r.status, grpc::StatusCode::OK));
    return r.data;
  }

  // `compressed` cut into `parts` messages whose offsets count compressed bytes from 0
  // (BS-COMP-05).
  static std::vector<bs::WriteRequest> compressed_stream(const std::string& name,
                                                         const std::string& compressed,
                                                         std::size_t parts) {
    return write_stream(name, compressed, (compressed.size() + parts - 1) / parts);
  }

  std::uint64_t next_seed_ = 0x1000;
};

// BS-WRITE-03, BS-WRITE-10, BS-NAME-02, BS-NAME-03: any split of an upload into messages,
// with empty messages anywhere and finish_write on the last data message or on a separate
// empty one, is stored with committed_size = size and reads back exactly.
TEST_P(ByteStreamWriteTest, RandomSplitsProperty) {
  std::uint64_t counter = 0;
  check_property(40, 100, [&] {
    const auto size = *rc::gen::inRange<std::size_t>(1, 300000);
    const Blob blob = make_blob(random_bytes(size, (counter++ << 20) ^ size ^ next_seed_));
    const std::string instance = *rc::gen::element<std::string>("", "a/b");
    std::string name = upload_name(blob.digest, instance);
    if (*rc::gen::arbitrary<bool>()) name += "/metadata/file.txt";
    const auto cuts = *rc::gen::container<std::vector<std::size_t>>(
        *rc::gen::inRange<std::size_t>(0, 8), rc::gen::inRange<std::size_t>(0, size + 1));
    std::vector<std::size_t> points(cuts.begin(), cuts.end());
    points.push_back(0);
    points.push_back(size);
    std::sort(points.begin(), points.end());  // duplicates give empty messages
    const bool separate_finish = *rc::gen::arbitrary<bool>();
    const bool repeat_name = *rc::gen::arbitrary<bool>();
    std::vector<bs::WriteRequest> messages;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
      const bool last = i + 2 == points.size();
      messages.push_back(write_request(
          messages.empty() || repeat_name ? name : "", static_cast<std::int64_t>(points[i]),
          blob.data.substr(points[i], points[i + 1] - points[i]), last && !separate_finish));
    }
    if (separate_finish) {
      messages.push_back(write_request("", static_cast<std::int64_t>(size), "", true));
    }
    const WriteResult w = write(messages);
    RC_ASSERT(w.status.ok());
    RC_ASSERT(w.committed_size == static_cast<std::int64_t>(size));
    const ReadResult r = read(read_name(blob.digest, instance));
    RC_ASSERT(r.status.ok());
    RC_ASSERT(r.data == blob.data);
  });
}

// BS-WRITE-03: a 5 MiB upload in 1 MiB messages.
TEST_P(ByteStreamWriteTest, LargeUpload) {
  const Blob blob = fresh_blob(5 * kMiB + 3);
  const WriteResult w = write(write_stream(upload_name(blob.digest), blob.data, kMiB));
  ASSERT_TRUE(has_code(w.status, grpc::StatusCode::OK));
  EXPECT_EQ(w.committed_size, blob.digest.size_bytes());
  EXPECT_TRUE(is_stored(blob.digest));
  EXPECT_TRUE(read_back(blob.digest) == blob.data);
}

// BS-WRITE-14, COM-06: the empty blob in one message {offset 0, finish}.
TEST_P(ByteStreamWriteTest, EmptyBlobUpload) {
  const Blob empty = make_blob("");
  const WriteResult w = write({write_request(upload_name(empty.digest), 0, "", true)});
  EXPECT_TRUE(has_code(w.status, grpc::StatusCode::OK));
  EXPECT_EQ(w.committed_size, 0);
}

// BS-WRITE-04: data that does not match the digest (other bytes, too few, too many) is
// INVALID_ARGUMENT and nothing is stored.
TEST_P(ByteStreamWriteTest, DigestMismatchIsInvalidArgument) {
  const Blob world = fresh_blob(5);
  const WriteResult other = write({write_request(upload_name(world.digest), 0, "hello", true)});
  EXPECT_TRUE(has_code(other.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(world.digest));

  const Blob short_blob = fresh_blob(300000);
  const WriteResult too_few =
      write(write_stream(upload_name(short_blob.digest),
                         short_blob.data.substr(0, short_blob.data.size() - 1), 100000));
  EXPECT_TRUE(has_code(too_few.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(short_blob.digest));

  const Blob long_blob = fresh_blob(300000);
  const WriteResult too_many =
      write(write_stream(upload_name(long_blob.digest), long_blob.data + "!", 100000));
  EXPECT_TRUE(has_code(too_many.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(long_blob.digest));

  // The same name can then be uploaded correctly (a failed upload leaves nothing behind).
  EXPECT_TRUE(write_blob(long_blob));
}

// BS-WRITE-01: a first message without a name is INVALID_ARGUMENT.
TEST_P(ByteStreamWriteTest, FirstMessageWithoutNameIsInvalidArgument) {
  const Blob blob = fresh_blob(10);
  const WriteResult w = write({write_request("", 0, blob.data, true)});
  EXPECT_TRUE(has_code(w.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(blob.digest));
}

// BS-WRITE-01: a later message naming another resource is INVALID_ARGUMENT; neither blob
// is stored.
TEST_P(ByteStreamWriteTest, ChangedNameIsInvalidArgument) {
  const Blob a = fresh_blob(10);
  const Blob b = fresh_blob(10);
  const WriteResult w = write({write_request(upload_name(a.digest), 0, a.data.substr(0, 5), false),
                               write_request(upload_name(b.digest), 5, a.data.substr(5), true)});
  EXPECT_TRUE(has_code(w.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(a.digest));
  EXPECT_FALSE(is_stored(b.digest));
}

// BS-WRITE-02: gaps, overlaps and a non-zero first offset on a new upload are refused.
TEST_P(ByteStreamWriteTest, BadWriteOffsetsAreInvalidArgument) {
  const Blob blob = fresh_blob(11);
  const std::string& d = blob.data;
  const std::vector<std::vector<bs::WriteRequest>> streams{
      {write_request(upload_name(blob.digest), 0, d.substr(0, 5), false),
       write_request("", 7, d.substr(5), true)},  // gap
      {write_request(upload_name(blob.digest), 0, d.substr(0, 5), false),
       write_request("", 3, d.substr(3), true)},              // overlap
      {write_request(upload_name(blob.digest), 7, d, true)},  // non-zero first
      {write_request(upload_name(blob.digest), -1, d, true)},
  };
  for (std::size_t i = 0; i < streams.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(has_code(write(streams[i]).status, grpc::StatusCode::INVALID_ARGUMENT));
    EXPECT_FALSE(is_stored(blob.digest));
  }
}

// BS-WRITE-10: empty data messages at the start, middle and end are fine.
TEST_P(ByteStreamWriteTest, EmptyMessagesAreAccepted) {
  const Blob blob = fresh_blob(5);
  const std::string name = upload_name(blob.digest);
  const WriteResult w =
      write({write_request(name, 0, "", false), write_request("", 0, blob.data.substr(0, 2), false),
             write_request("", 2, "", false), write_request(name, 2, blob.data.substr(2), false),
             write_request("", 5, "", true)});
  ASSERT_TRUE(has_code(w.status, grpc::StatusCode::OK));
  EXPECT_EQ(w.committed_size, 5);
  EXPECT_EQ(read_back(blob.digest), blob.data);
}

// BS-WRITE-09: a message after finish_write is INVALID_ARGUMENT.
TEST_P(ByteStreamWriteTest, MessageAfterFinishIsInvalidArgument) {
  const Blob blob = fresh_blob(5);
  const WriteResult w = write({write_request(upload_name(blob.digest), 0, blob.data, true),
                               write_request("", 5, "", false)});
  EXPECT_TRUE(has_code(w.status, grpc::StatusCode::INVALID_ARGUMENT));
}

// BS-WRITE-08 (ambiguity B9): a stream closed without finish_write fails (the reference
// server says INVALID_ARGUMENT) and stores nothing; so does a stream with no message.
TEST_P(ByteStreamWriteTest, StreamClosedWithoutFinishStoresNothing) {
  const Blob blob = fresh_blob(200000);
  const WriteResult w = write({write_request(upload_name(blob.digest), 0, blob.data, false)});
  EXPECT_TRUE(has_code(w.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(blob.digest));
  EXPECT_TRUE(has_code(write({}).status, grpc::StatusCode::INVALID_ARGUMENT));
}

// BS-WRITE-05: for a stored blob the server ends the call early, OK with committed_size =
// size, without needing the rest of the data or finish_write.
TEST_P(ByteStreamWriteTest, EarlyReturnForStoredBlob) {
  const Blob blob = fresh_blob(kMiB);
  ASSERT_TRUE(write_blob(blob));
  const WriteResult whole = write(write_stream(upload_name(blob.digest), blob.data, 64 << 10));
  EXPECT_TRUE(has_code(whole.status, grpc::StatusCode::OK));
  EXPECT_EQ(whole.committed_size, blob.digest.size_bytes());
  // Only the first piece, no finish_write: still OK, which only an early return allows.
  const WriteResult first_piece =
      write({write_request(upload_name(blob.digest), 0, blob.data.substr(0, 1000), false)});
  EXPECT_TRUE(has_code(first_piece.status, grpc::StatusCode::OK));
  EXPECT_EQ(first_piece.committed_size, blob.digest.size_bytes());
  // Even wrong bytes are not looked at: the blob is there.
  const WriteResult wrong = write({write_request(upload_name(blob.digest), 0, "nonsense", true)});
  EXPECT_TRUE(has_code(wrong.status, grpc::StatusCode::OK));
  EXPECT_EQ(wrong.committed_size, blob.digest.size_bytes());
  EXPECT_TRUE(read_back(blob.digest) == blob.data);
}

// BS-WRITE-06: the compressed early return has committed_size -1.
TEST_P(ByteStreamWriteTest, CompressedEarlyReturnIsMinusOne) {
  const Blob blob = fresh_compressible_blob(300000);
  ASSERT_TRUE(upload({blob}));
  const std::string compressed = zstd(blob.data);
  const WriteResult w = write({write_request(compressed_upload_name(blob.digest), 0,
                                             compressed.substr(0, compressed.size() / 2), false)});
  EXPECT_TRUE(has_code(w.status, grpc::StatusCode::OK));
  EXPECT_EQ(w.committed_size, -1);
}

// BS-WRITE-05 with --disable-overwrite-early-return: the whole stream is read and verified.
TEST_P(ByteStreamWriteTest, WithoutEarlyReturnTheStreamIsConsumed) {
  ServerConfig config = default_config();
  config.disable_overwrite_early_return = true;
  ASSERT_NO_FATAL_FAILURE(restart(config));
  const Blob blob = fresh_blob(kMiB);
  ASSERT_TRUE(write_blob(blob));
  const auto messages = write_stream(upload_name(blob.digest), blob.data, 64 << 10);
  const WriteResult again = write(messages);
  EXPECT_TRUE(has_code(again.status, grpc::StatusCode::OK));
  EXPECT_EQ(again.committed_size, blob.digest.size_bytes());
  EXPECT_EQ(again.messages_accepted, messages.size());
  // Not looked at early: wrong bytes and a missing finish_write are errors again.
  EXPECT_TRUE(has_code(write({write_request(upload_name(blob.digest), 0, "nonsense", true)}).status,
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(
      write({write_request(upload_name(blob.digest), 0, blob.data.substr(0, 1000), false)}).status,
      grpc::StatusCode::INVALID_ARGUMENT));
  // Compressed: committed_size counts the compressed bytes received (B2).
  const std::string compressed = zstd(blob.data);
  const WriteResult zw =
      write(compressed_stream(compressed_upload_name(blob.digest), compressed, 3));
  EXPECT_TRUE(has_code(zw.status, grpc::StatusCode::OK));
  EXPECT_EQ(zw.committed_size, static_cast<std::int64_t>(compressed.size()));
  EXPECT_TRUE(read_back(blob.digest) == blob.data);
}

// BS-NAME-03: metadata segments after the size are ignored.
TEST_P(ByteStreamWriteTest, TrailingMetadataIsAccepted) {
  const Blob blob = fresh_blob(100);
  const WriteResult w =
      write({write_request(upload_name(blob.digest) + "/some/extra/path.txt", 0, blob.data, true)});
  ASSERT_TRUE(has_code(w.status, grpc::StatusCode::OK));
  EXPECT_EQ(w.committed_size, 100);
  EXPECT_EQ(read_back(blob.digest), blob.data);
}

// BS-NAME-04, BS-WRITE-15: one uuid for several blobs, one after the other, and again for a
// blob already completed under it.
TEST_P(ByteStreamWriteTest, UuidReuse) {
  const std::string uuid = new_uuid();
  const Blob a = fresh_blob(1000);
  const Blob b = fresh_blob(2000);
  for (const Blob* blob : {&a, &b, &a}) {
    const WriteResult w =
        write({write_request(upload_name(blob->digest, "", uuid), 0, blob->data, true)});
    EXPECT_TRUE(has_code(w.status, grpc::StatusCode::OK));
    EXPECT_EQ(w.committed_size, blob->digest.size_bytes());
  }
  EXPECT_EQ(read_back(a.digest), a.data);
  EXPECT_EQ(read_back(b.digest), b.data);
}

// CAP-07-like refusal of writes: a read-only server refuses uploads.
TEST_P(ByteStreamWriteTest, ReadOnlyIsPermissionDenied) {
  ServerConfig config = default_config();
  config.read_only = true;
  ASSERT_NO_FATAL_FAILURE(restart(config));
  const Blob blob = fresh_blob(10);
  EXPECT_TRUE(has_code(write({write_request(upload_name(blob.digest), 0, blob.data, true)}).status,
                       grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_FALSE(is_stored(blob.digest));
}

// BS-COMP-05, BS-WRITE-07, BS-COMP-01: a zstd upload in several messages whose offsets count
// compressed bytes is stored; committed_size = compressed bytes received (B2).
TEST_P(ByteStreamWriteTest, ZstdUploadWithCompressedOffsets) {
  const Blob blob = fresh_compressible_blob(3 * kMiB);
  const std::string compressed = zstd(blob.data);
  ASSERT_LT(compressed.size(), blob.data.size());
  const WriteResult w =
      write(compressed_stream(compressed_upload_name(blob.digest), compressed, 3));
  ASSERT_TRUE(has_code(w.status, grpc::StatusCode::OK));
  EXPECT_EQ(w.committed_size, static_cast<std::int64_t>(compressed.size()));
  EXPECT_TRUE(read_back(blob.digest) == blob.data);
}

// BS-COMP-05: the second message's offset counts compressed bytes; the same stream with
// the offset counted in uncompressed bytes is refused. The two messages carry one zstd frame
// per half of the blob, so both counts are known exactly.
TEST_P(ByteStreamWriteTest, ZstdUploadWithUncompressedOffsetsIsInvalidArgument) {
  const Blob blob = fresh_compressible_blob(200000);
  const std::string first = zstd(blob.data.substr(0, 100000));
  const std::string second = zstd(blob.data.substr(100000));
  ASSERT_NE(first.size(), 100000u);
  const std::string name = compressed_upload_name(blob.digest);
  const WriteResult wrong =
      write({write_request(name, 0, first, false), write_request("", 100000, second, true)});
  EXPECT_TRUE(has_code(wrong.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(blob.digest));
  // A new compressed upload starts at offset 0.
  EXPECT_TRUE(has_code(write({write_request(name, 5, first + second, true)}).status,
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(blob.digest));
  const WriteResult right =
      write({write_request(name, 0, first, false),
             write_request("", static_cast<std::int64_t>(first.size()), second, true)});
  EXPECT_TRUE(has_code(right.status, grpc::StatusCode::OK));
  EXPECT_EQ(right.committed_size, static_cast<std::int64_t>(first.size() + second.size()));
  EXPECT_EQ(read_back(blob.digest), blob.data);
}

// BS-COMP-04: zstd of other content, bytes that are not zstd, a truncated frame, and a frame
// decoding to more than the size are refused and store nothing.
TEST_P(ByteStreamWriteTest, BadZstdUploadsAreInvalidArgument) {
  const Blob blob = fresh_compressible_blob(100000);
  const std::string good = zstd(blob.data);
  const std::vector<std::string> bad_bodies{
      zstd(compressible_bytes(100000, 999999)), random_bytes(5000, 4242),
      good.substr(0, good.size() - 4), zstd(blob.data + "x"), ""};
  for (std::size_t i = 0; i < bad_bodies.size(); ++i) {
    SCOPED_TRACE(i);
    const WriteResult w =
        write(compressed_stream(compressed_upload_name(blob.digest), bad_bodies[i], 2));
    EXPECT_TRUE(has_code(w.status, grpc::StatusCode::INVALID_ARGUMENT));
    EXPECT_FALSE(is_stored(blob.digest));
  }
}

// BS-COMP-08: several concatenated zstd frames make one valid upload.
TEST_P(ByteStreamWriteTest, ConcatenatedZstdFramesAreAccepted) {
  const Blob blob = fresh_blob(150000);
  const std::string frames = zstd(blob.data.substr(0, 50000)) + zstd(blob.data.substr(50000, 1)) +
                             zstd(blob.data.substr(50001));
  const WriteResult w = write(compressed_stream(compressed_upload_name(blob.digest), frames, 4));
  ASSERT_TRUE(has_code(w.status, grpc::StatusCode::OK));
  EXPECT_EQ(w.committed_size, static_cast<std::int64_t>(frames.size()));
  EXPECT_TRUE(read_back(blob.digest) == blob.data);
}

// BS-WRITE-11: concurrent uploads of one fresh blob (plain and zstd, different uuids) all
// succeed and the blob is intact.
TEST_P(ByteStreamWriteTest, ConcurrentWritersOfOneBlob) {
  const Blob blob = fresh_blob(2 * kMiB);
  const std::string compressed = zstd(blob.data);
  constexpr int kWriters = 6;
  std::vector<WriteResult> results(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] =
          i % 2 == 0 ? write(write_stream(upload_name(blob.digest), blob.data, 128 << 10))
                     : write(compressed_stream(compressed_upload_name(blob.digest), compressed, 8));
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kWriters; ++i) {
    SCOPED_TRACE(i);
    const WriteResult& r = results[static_cast<std::size_t>(i)];
    EXPECT_TRUE(has_code(r.status, grpc::StatusCode::OK));
    if (i % 2 == 0) {
      EXPECT_EQ(r.committed_size, blob.digest.size_bytes());
    } else {  // compressed bytes when run to completion, -1 on an early return
      EXPECT_TRUE(r.committed_size == static_cast<std::int64_t>(compressed.size()) ||
                  r.committed_size == -1)
          << r.committed_size;
    }
  }
  EXPECT_TRUE(read_back(blob.digest) == blob.data);
}

// BS-NAME-07, BS-NAME-09, COM-02: malformed upload names are INVALID_ARGUMENT.
TEST_P(ByteStreamWriteTest, MalformedNamesAreInvalidArgument) {
  const Blob blob = fresh_blob(5);
  const std::string part = blob.digest.hash() + "/5";
  const std::string uuid = new_uuid();
  for (const std::string& name :
       {"blobs/" + part, "uploads/" + uuid + "/" + part, "uploads/blobs/" + part,
        "uploads/" + uuid + "/blobs/" + blob.digest.hash(),
        "uploads/" + uuid + "/blobs/" + to_upper(blob.digest.hash()) + "/5",
        "uploads/" + uuid + "/blobs/sha256/" + part,
        "uploads/" + uuid + "/compressed-blobs/deflate/" + part,
        "uploads/" + uuid + "/compressed-blobs/identity/" + part,
        "uploads/" + uuid + "/blobs/" + blob.digest.hash() + "/-5",
        "compressed-blobs/zstd/" + part}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(has_code(write({write_request(name, 0, blob.data, true)}).status,
                         grpc::StatusCode::INVALID_ARGUMENT));
  }
  EXPECT_FALSE(is_stored(blob.digest));
}

// BS-NAME-05, COM-08: a 40-hex name is a SHA-1 upload, found as SHA-1 afterwards; a 40-hex
// name whose data is hashed wrongly is refused.
TEST_P(ByteStreamWriteTest, Sha1Upload) {
  const Blob blob = make_blob(random_bytes(3000, next_seed_++), reapi::DigestFunction::sha1);
  ASSERT_TRUE(write_blob(blob));
  EXPECT_TRUE(is_stored(blob.digest, "", v2::DigestFunction::SHA1));
  EXPECT_EQ(read_back(blob.digest), blob.data);
  const Blob other = make_blob("sha1 other", reapi::DigestFunction::sha1);
  EXPECT_TRUE(
      has_code(write({write_request(upload_name(other.digest), 0, "not it!!!!", true)}).status,
               grpc::StatusCode::INVALID_ARGUMENT));
}

// COM-11, COM-13: uploads under "a/b" are readable there; unknown instances are refused.
TEST_P(ByteStreamWriteTest, Instances) {
  const Blob blob = fresh_blob(64);
  ASSERT_TRUE(write_blob(blob, "a/b"));
  EXPECT_EQ(read_back(blob.digest, "a/b"), blob.data);
  const Blob other = fresh_blob(64);
  EXPECT_TRUE(
      has_code(write({write_request(upload_name(other.digest, "x/y"), 0, other.data, true)}).status,
               grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_stored(other.digest));
}

INSTANTIATE_ON_BOTH_BACKENDS(ByteStreamWriteTest);

}  // namespace
}  // namespace reference::testing
