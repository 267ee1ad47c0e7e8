// QueryWriteStatus and resumable uploads of the reference server (shared/reapi/bytestream.md
// sections 3 and 4).

#include <thread>

#include "server_fixture.h"

namespace reference::testing {
namespace {

constexpr std::size_t kPiece = 256 << 10;

class QueryWriteStatusTest : public ServerTest {
 protected:
  // A Write stream kept open by the test, so it can stop in the middle.
  struct OpenWrite {
    std::unique_ptr<grpc::ClientContext> ctx = context();
    bs::WriteResponse response;
    std::unique_ptr<grpc::ClientWriter<bs::WriteRequest>> writer;
  };
  std::unique_ptr<OpenWrite> open_write() {
    auto w = std::make_unique<OpenWrite>();
    w->writer = bytestream().Write(w->ctx.get(), &w->response);
    return w;
  }

  // Polls QueryWriteStatus until it reports `expected` committed bytes (the server handles
  // messages after the client hands them over). Every answer must be OK, not complete, never
  // above what was sent and never decreasing (BS-QWS-02, BS-QWS-05). Waits at most 60 s, a
  // bound for a hung server, not a timing assertion.
  ::testing::AssertionResult wait_for_committed(const std::string& name, std::int64_t expected) {
    std::int64_t last = 0;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      bs::QueryWriteStatusResponse status;
      const grpc::Status s = query_write_status(name, status);
      if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND) {
        return ::testing::AssertionFailure() << "QueryWriteStatus: " << s.error_message();
      }
      if (s.ok()) {
        if (status.complete()) return ::testing::AssertionFailure() << "complete too early";
        if (status.committed_size() < last || status.committed_size() > expected) {
          return ::testing::AssertionFailure()
                 << "committed_size " << status.committed_size() << " after " << last << ", with "
                 << expected << " bytes sent";
        }
        last = status.committed_size();
        if (last == expected) return ::testing::AssertionSuccess();
      }
      if (std::chrono::steady_clock::now() > give_up) {
        return ::testing::AssertionFailure() << "committed_size stuck at " << last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  // Write, retried while the server still holds the upload for the stream the client has
  // just cancelled (ABORTED until that stream's end reaches the server; clients retry
  // ABORTED).
  WriteResult write_retrying_aborted(const std::vector<bs::WriteRequest>& messages) {
    for (int attempt = 0;; ++attempt) {
      WriteResult r = write(messages);
      if (r.status.error_code() != grpc::StatusCode::ABORTED || attempt == 500) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Sends `pieces` pieces of `blob` on `w` without finish_write and waits until the server
  // has them all.
  ::testing::AssertionResult send_pieces(OpenWrite& w, const std::string& name, const Blob& blob,
                                         std::size_t pieces) {
    for (std::size_t i = 0; i < pieces; ++i) {
      if (!w.writer->Write(write_request(i == 0 ? name : "", static_cast<std::int64_t>(i * kPiece),
                                         blob.data.substr(i * kPiece, kPiece), false))) {
        return ::testing::AssertionFailure() << "the server closed the stream at piece " << i;
      }
    }
    return wait_for_committed(name, static_cast<std::int64_t>(pieces * kPiece));
  }

  // Cancels `w` midway, as a broken connection would.
  static void cancel(OpenWrite& w) {
    w.ctx->TryCancel();
    const grpc::Status s = w.writer->Finish();
    EXPECT_TRUE(has_code(s, grpc::StatusCode::CANCELLED));
  }
};

// BS-QWS-01: an upload the server never saw is NOT_FOUND.
TEST_P(QueryWriteStatusTest, UnknownUploadIsNotFound) {
  bs::QueryWriteStatusResponse status;
  EXPECT_TRUE(has_code(query_write_status(upload_name(absent_digest(100)), status),
                       grpc::StatusCode::NOT_FOUND));
}

// BS-QWS-02, BS-QWS-03, BS-QWS-05: during an upload, committed_size is the bytes sent and
// complete is false; after finish_write the same name is complete at full size.
TEST_P(QueryWriteStatusTest, ProgressDuringAnUpload) {
  const Blob blob = make_blob(random_bytes(6 * kPiece, 1));
  const std::string name = upload_name(blob.digest);
  auto w = open_write();
  for (std::size_t sent = 1; sent <= 3; ++sent) {
    ASSERT_TRUE(w->writer->Write(
        write_request(sent == 1 ? name : "", static_cast<std::int64_t>((sent - 1) * kPiece),
                      blob.data.substr((sent - 1) * kPiece, kPiece), false)));
    ASSERT_TRUE(wait_for_committed(name, static_cast<std::int64_t>(sent * kPiece)));
  }
  bs::QueryWriteStatusResponse mid;
  ASSERT_TRUE(query_write_status(name, mid).ok());
  EXPECT_EQ(mid.committed_size(), static_cast<std::int64_t>(3 * kPiece));
  EXPECT_FALSE(mid.complete());
  ASSERT_TRUE(w->writer->Write(write_request("", static_cast<std::int64_t>(3 * kPiece),
                                             blob.data.substr(3 * kPiece), true)));
  w->writer->WritesDone();
  ASSERT_TRUE(has_code(w->writer->Finish(), grpc::StatusCode::OK));
  EXPECT_EQ(w->response.committed_size(), blob.digest.size_bytes());
  bs::QueryWriteStatusResponse done;
  ASSERT_TRUE(has_code(query_write_status(name, done), grpc::StatusCode::OK));
  EXPECT_EQ(done.committed_size(), blob.digest.size_bytes());
  EXPECT_TRUE(done.complete());
}

// BS-WRITE-13, BS-QWS-05: a Write cancelled midway keeps its bytes; QueryWriteStatus says
// where to resume, and a new Write of the same name from there completes the blob.
TEST_P(QueryWriteStatusTest, ResumeAfterCancelledStream) {
  const Blob blob = make_blob(random_bytes(6 * kPiece + 123, 2));
  const std::string name = upload_name(blob.digest);
  {
    auto w = open_write();
    ASSERT_TRUE(send_pieces(*w, name, blob, 3));
    cancel(*w);
  }
  EXPECT_FALSE(is_stored(blob.digest));
  bs::QueryWriteStatusResponse status;
  ASSERT_TRUE(has_code(query_write_status(name, status), grpc::StatusCode::OK));
  const std::int64_t c = status.committed_size();
  EXPECT_EQ(c, static_cast<std::int64_t>(3 * kPiece));
  EXPECT_FALSE(status.complete());

  const WriteResult resumed = write_retrying_aborted(
      write_stream(name, blob.data.substr(static_cast<std::size_t>(c)), kPiece, c));
  ASSERT_TRUE(has_code(resumed.status, grpc::StatusCode::OK));
  EXPECT_EQ(resumed.committed_size, blob.digest.size_bytes());
  const ReadResult r = read(read_name(blob.digest));
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.data == blob.data);
}

// BS-WRITE-02, BS-WRITE-13: resuming from another offset than the committed one is
// INVALID_ARGUMENT and keeps the upload resumable from the right one.
TEST_P(QueryWriteStatusTest, ResumeFromWrongOffsetIsInvalidArgument) {
  const Blob blob = make_blob(random_bytes(4 * kPiece, 3));
  const std::string name = upload_name(blob.digest);
  {
    auto w = open_write();
    ASSERT_TRUE(send_pieces(*w, name, blob, 2));
    cancel(*w);
  }
  const std::int64_t c = 2 * kPiece;
  for (std::int64_t wrong : {std::int64_t{0}, c - 1, c + 1}) {
    SCOPED_TRACE(wrong);
    const WriteResult r = write_retrying_aborted(
        write_stream(name, blob.data.substr(static_cast<std::size_t>(wrong)), kPiece, wrong));
    EXPECT_TRUE(has_code(r.status, grpc::StatusCode::INVALID_ARGUMENT));
    bs::QueryWriteStatusResponse status;
    ASSERT_TRUE(query_write_status(name, status).ok());
    EXPECT_EQ(status.committed_size(), c);
  }
  const WriteResult right = write_retrying_aborted(
      write_stream(name, blob.data.substr(static_cast<std::size_t>(c)), kPiece, c));
  ASSERT_TRUE(has_code(right.status, grpc::StatusCode::OK));
  EXPECT_EQ(right.committed_size, blob.digest.size_bytes());
  EXPECT_TRUE(read(read_name(blob.digest)).data == blob.data);
}

// BS-WRITE-13, B9: a resumed upload can break again, here by a half-close without
// finish_write (refused, bytes kept), and be resumed once more.
TEST_P(QueryWriteStatusTest, ResumeTwice) {
  const Blob blob = make_blob(random_bytes(5 * kPiece, 4));
  const std::string name = upload_name(blob.digest);
  {
    auto w = open_write();
    ASSERT_TRUE(send_pieces(*w, name, blob, 1));
    cancel(*w);
  }
  const WriteResult second = write_retrying_aborted(
      {write_request(name, kPiece, blob.data.substr(kPiece, kPiece), false)});
  EXPECT_TRUE(has_code(second.status, grpc::StatusCode::INVALID_ARGUMENT));
  bs::QueryWriteStatusResponse status;
  ASSERT_TRUE(has_code(query_write_status(name, status), grpc::StatusCode::OK));
  EXPECT_EQ(status.committed_size(), static_cast<std::int64_t>(2 * kPiece));
  EXPECT_FALSE(status.complete());
  const WriteResult rest =
      write_retrying_aborted(write_stream(name, blob.data.substr(2 * kPiece), kPiece, 2 * kPiece));
  ASSERT_TRUE(has_code(rest.status, grpc::StatusCode::OK));
  EXPECT_TRUE(read(read_name(blob.digest)).data == blob.data);
}

// BS-QWS-04, BS-QWS-06 (ambiguity B4): a stored blob is complete at its size under any
// upload name, plain or compressed.
TEST_P(QueryWriteStatusTest, StoredBlobIsComplete) {
  const Blob blob = make_blob(random_bytes(1000, 5));
  ASSERT_TRUE(upload({blob}));
  for (const std::string& name : {upload_name(blob.digest), compressed_upload_name(blob.digest),
                                  upload_name(blob.digest) + "/with/metadata"}) {
    SCOPED_TRACE(name);
    bs::QueryWriteStatusResponse status;
    ASSERT_TRUE(has_code(query_write_status(name, status), grpc::StatusCode::OK));
    EXPECT_EQ(status.committed_size(), 1000);
    EXPECT_TRUE(status.complete());
  }
  bs::QueryWriteStatusResponse empty;
  ASSERT_TRUE(
      has_code(query_write_status(upload_name(make_blob("").digest), empty), grpc::StatusCode::OK));
  EXPECT_EQ(empty.committed_size(), 0);
  EXPECT_TRUE(empty.complete());
}

// BS-QWS-06: a compressed upload in progress reports 0 (it cannot be resumed) and not
// complete.
TEST_P(QueryWriteStatusTest, CompressedUploadInProgressReportsZero) {
  const Blob blob = make_blob(random_bytes(3 * kPiece, 6));
  const std::string compressed = zstd(blob.data);
  const std::string name = compressed_upload_name(blob.digest);
  auto w = open_write();
  ASSERT_TRUE(w->writer->Write(write_request(name, 0, compressed.substr(0, kPiece), false)));
  // The server has the stream once QueryWriteStatus knows the name.
  ASSERT_TRUE(wait_for_committed(name, 0));
  bs::QueryWriteStatusResponse status;
  ASSERT_TRUE(query_write_status(name, status).ok());
  EXPECT_EQ(status.committed_size(), 0);
  EXPECT_FALSE(status.complete());
  ASSERT_TRUE(w->writer->Write(write_request("", kPiece, compressed.substr(kPiece), true)));
  w->writer->WritesDone();
  ASSERT_TRUE(has_code(w->writer->Finish(), grpc::StatusCode::OK));
  EXPECT_EQ(w->response.committed_size(), static_cast<std::int64_t>(compressed.size()));
}

// BS-NAME-07, COM-02, COM-13: malformed names, read names and unknown instances are refused.
TEST_P(QueryWriteStatusTest, MalformedNameIsInvalidArgument) {
  const v2::Digest d = absent_digest(100);
  for (const std::string& name :
       {std::string(""), std::string("garbage"), read_name(d),
        "uploads/" + new_uuid() + "/blobs/" + to_upper(d.hash()) + "/100",
        "uploads/" + new_uuid() + "/blobs/" + d.hash(),
        "uploads/" + new_uuid() + "/compressed-blobs/deflate/" + d.hash() + "/100",
        upload_name(d, "unknown-instance")}) {
    SCOPED_TRACE(name);
    bs::QueryWriteStatusResponse status;
    EXPECT_TRUE(has_code(query_write_status(name, status), grpc::StatusCode::INVALID_ARGUMENT));
  }
}

INSTANTIATE_ON_BOTH_BACKENDS(QueryWriteStatusTest);

}  // namespace
}  // namespace reference::testing
