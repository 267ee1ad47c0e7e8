// CAS messages decoded from hand-written wire bytes: proves every field number and wire type
// of wire.md sections 2-3 (Digest, FindMissingBlobs, BatchUpdateBlobs, BatchReadBlobs,
// GetTree) and of google.rpc.Status (section 7).

#include <gtest/gtest.h>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "google/rpc/status.pb.h"
#include "wire_bytes.h"

namespace {

namespace v2 = build::bazel::remote::execution::v2;
using wire::bytes_field;
using wire::int_field;
using wire::packed_field;

const std::string kHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

std::string digest_bytes(const std::string& hash, std::int64_t size) {
  return bytes_field(1, hash) + int_field(2, size);
}

TEST(WireEncoder, MatchesTheSpecExamples) {
  // The protobuf encoding guide's examples: 150 -> 96 01, 300 -> ac 02.
  EXPECT_EQ(wire::varint(150), "\x96\x01");
  EXPECT_EQ(wire::varint(300), "\xac\x02");
  EXPECT_EQ(wire::varint(1), "\x01");
  EXPECT_EQ(int_field(1, -1), std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11));
  EXPECT_EQ(bytes_field(2, "testing"), "\x12\x07testing");
  EXPECT_EQ(wire::key(10, 2), "\x52");
  EXPECT_EQ(wire::key(16, 0), "\x80\x01");
}

TEST(CasWire, DigestFromLiteralBytes) {
  // hash = 1 (string), size_bytes = 2 (int64), written out byte by byte.
  const std::string bytes = std::string(
      "\x0a\x03"
      "abc"
      "\x10\x05",
      7);
  v2::Digest d;
  ASSERT_TRUE(wire::decodes(bytes, d));
  EXPECT_EQ(d.hash(), "abc");
  EXPECT_EQ(d.size_bytes(), 5);
}

TEST(CasWire, DigestWithLargeAndNegativeSizes) {
  v2::Digest big;
  ASSERT_TRUE(wire::decodes(digest_bytes(kHash, INT64_MAX), big));
  EXPECT_EQ(big.hash(), kHash);
  EXPECT_EQ(big.size_bytes(), INT64_MAX);
  v2::Digest negative;  // int64, not sint64: -1 is a ten-byte varint
  ASSERT_TRUE(wire::decodes(digest_bytes(kHash, -1), negative));
  EXPECT_EQ(negative.size_bytes(), -1);
}

TEST(CasWire, FindMissingBlobs) {
  const std::string request = bytes_field(1, "main") + bytes_field(2, digest_bytes(kHash, 5)) +
                              bytes_field(2, digest_bytes("ab", 7)) + int_field(3, 9);
  v2::FindMissingBlobsRequest req;
  ASSERT_TRUE(wire::decodes(request, req));
  EXPECT_EQ(req.instance_name(), "main");
  ASSERT_EQ(req.blob_digests_size(), 2);
  EXPECT_EQ(req.blob_digests(0).hash(), kHash);
  EXPECT_EQ(req.blob_digests(0).size_bytes(), 5);
  EXPECT_EQ(req.blob_digests(1).hash(), "ab");
  EXPECT_EQ(req.blob_digests(1).size_bytes(), 7);
  EXPECT_EQ(req.digest_function(), v2::DigestFunction::BLAKE3);

  // The response's only field is 2 (there is no field 1).
  const std::string response = bytes_field(2, digest_bytes(kHash, 5));
  v2::FindMissingBlobsResponse resp;
  ASSERT_TRUE(wire::decodes(response, resp));
  ASSERT_EQ(resp.missing_blob_digests_size(), 1);
  EXPECT_EQ(resp.missing_blob_digests(0).size_bytes(), 5);
}

TEST(CasWire, BatchUpdateBlobs) {
  const std::string entry =
      bytes_field(1, digest_bytes(kHash, 5)) + bytes_field(2, "hello") + int_field(3, 1);
  const std::string request =
      bytes_field(1, "i") + bytes_field(2, entry) + bytes_field(2, entry) + int_field(5, 1);
  v2::BatchUpdateBlobsRequest req;
  ASSERT_TRUE(wire::decodes(request, req));
  EXPECT_EQ(req.instance_name(), "i");
  ASSERT_EQ(req.requests_size(), 2);
  EXPECT_EQ(req.requests(0).digest().hash(), kHash);
  EXPECT_EQ(req.requests(0).data(), "hello");
  EXPECT_EQ(req.requests(0).compressor(), v2::Compressor::ZSTD);
  EXPECT_EQ(req.digest_function(), v2::DigestFunction::SHA256);

  const std::string status = int_field(1, 3) + bytes_field(2, "bad digest");
  const std::string response =
      bytes_field(1, bytes_field(1, digest_bytes(kHash, 5)) + bytes_field(2, status));
  v2::BatchUpdateBlobsResponse resp;
  ASSERT_TRUE(wire::decodes(response, resp));
  ASSERT_EQ(resp.responses_size(), 1);
  EXPECT_EQ(resp.responses(0).digest().size_bytes(), 5);
  EXPECT_EQ(resp.responses(0).status().code(), 3);
  EXPECT_EQ(resp.responses(0).status().message(), "bad digest");
}

TEST(CasWire, BatchReadBlobs) {
  const std::string request = bytes_field(1, "i") + bytes_field(2, digest_bytes(kHash, 5)) +
                              packed_field(3, {1, 2}) + int_field(4, 1);
  v2::BatchReadBlobsRequest req;
  ASSERT_TRUE(wire::decodes(request, req));
  ASSERT_EQ(req.digests_size(), 1);
  ASSERT_EQ(req.acceptable_compressors_size(), 2);
  EXPECT_EQ(req.acceptable_compressors(0), v2::Compressor::ZSTD);
  EXPECT_EQ(req.acceptable_compressors(1), v2::Compressor::DEFLATE);
  EXPECT_EQ(req.digest_function(), v2::DigestFunction::SHA256);

  // In Response, status is 3 and compressor is 4 (wire.md section 3).
  const std::string entry = bytes_field(1, digest_bytes(kHash, 5)) + bytes_field(2, "zdata") +
                            bytes_field(3, int_field(1, 5) + bytes_field(2, "gone")) +
                            int_field(4, 1);
  v2::BatchReadBlobsResponse resp;
  ASSERT_TRUE(wire::decodes(bytes_field(1, entry), resp));
  ASSERT_EQ(resp.responses_size(), 1);
  EXPECT_EQ(resp.responses(0).digest().hash(), kHash);
  EXPECT_EQ(resp.responses(0).data(), "zdata");
  EXPECT_EQ(resp.responses(0).status().code(), 5);
  EXPECT_EQ(resp.responses(0).status().message(), "gone");
  EXPECT_EQ(resp.responses(0).compressor(), v2::Compressor::ZSTD);
}

TEST(CasWire, RepeatedEnumsAlsoDecodeUnpacked) {
  // Parsers must accept both encodings of a repeated scalar; serializers write packed.
  const std::string unpacked = int_field(3, 1) + int_field(3, 3);
  v2::BatchReadBlobsRequest req;
  ASSERT_TRUE(req.ParseFromString(unpacked));
  ASSERT_EQ(req.acceptable_compressors_size(), 2);
  EXPECT_EQ(req.acceptable_compressors(1), v2::Compressor::BROTLI);
  EXPECT_EQ(req.SerializeAsString(), packed_field(3, {1, 3}));
}

TEST(CasWire, GetTree) {
  const std::string request = bytes_field(1, "i") + bytes_field(2, digest_bytes(kHash, 77)) +
                              int_field(3, 100) + bytes_field(4, "token") + int_field(5, 1);
  v2::GetTreeRequest req;
  ASSERT_TRUE(wire::decodes(request, req));
  EXPECT_EQ(req.instance_name(), "i");
  EXPECT_EQ(req.root_digest().size_bytes(), 77);
  EXPECT_EQ(req.page_size(), 100);
  EXPECT_EQ(req.page_token(), "token");
  EXPECT_EQ(req.digest_function(), v2::DigestFunction::SHA256);

  const std::string dir =
      bytes_field(2, bytes_field(1, "sub") + bytes_field(2, digest_bytes(kHash, 3)));
  const std::string response = bytes_field(1, dir) + bytes_field(1, "") + bytes_field(2, "next");
  v2::GetTreeResponse resp;
  ASSERT_TRUE(wire::decodes(response, resp));
  ASSERT_EQ(resp.directories_size(), 2);
  ASSERT_EQ(resp.directories(0).directories_size(), 1);
  EXPECT_EQ(resp.directories(0).directories(0).name(), "sub");
  EXPECT_EQ(resp.directories(1).ByteSizeLong(), 0u);  // an empty Directory
  EXPECT_EQ(resp.next_page_token(), "next");
}

TEST(StatusWire, GoogleRpcStatus) {
  const std::string any = bytes_field(1, "type.googleapis.com/google.rpc.RetryInfo") +
                          bytes_field(2, std::string("\x0a\x02\x08\x01", 4));
  const std::string bytes = int_field(1, 14) + bytes_field(2, "try later") + bytes_field(3, any);
  google::rpc::Status status;
  ASSERT_TRUE(wire::decodes(bytes, status));
  EXPECT_EQ(status.code(), 14);
  EXPECT_EQ(status.message(), "try later");
  ASSERT_EQ(status.details_size(), 1);
  EXPECT_EQ(status.details(0).type_url(), "type.googleapis.com/google.rpc.RetryInfo");
  EXPECT_EQ(status.details(0).value(), std::string("\x0a\x02\x08\x01", 4));
}

}  // namespace
