// Streaming zstd in both directions: round trips over any chunking, concatenated frames
// (BS-COMP-08), truncated and corrupt input, and the output bound that stops a
// decompression bomb.

#include "reapi/compression.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace reapi {
namespace {

// Cuts `data` at the given sorted positions.
std::vector<std::string_view> chunks_of(std::string_view data, std::vector<std::size_t> cuts) {
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::string_view> out;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    out.push_back(data.substr(at, cut - at));
    at = cut;
  }
  out.push_back(data.substr(at));
  return out;
}

rc::Gen<std::vector<std::size_t>> gen_cuts(std::size_t size) {
  return rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, size + 1));
}

// Blobs that compress well, badly, or not at all.
rc::Gen<std::string> gen_blob() {
  return rc::gen::oneOf(rc::gen::arbitrary<std::string>(),
                        rc::gen::map(rc::gen::pair(rc::gen::arbitrary<std::string>(),
                                                   rc::gen::inRange<std::size_t>(1, 2000)),
                                     [](const auto& p) {
                                       std::string out;
                                       for (std::size_t i = 0; i < p.second; ++i) out += p.first;
                                       return out;
                                     }),
                        rc::gen::map(rc::gen::inRange<std::size_t>(0, 300000),
                                     [](std::size_t n) { return std::string(n, 'z'); }));
}

std::string compress_in_chunks(std::string_view data, const std::vector<std::size_t>& cuts,
                               int level) {
  ZstdCompressor compressor(level);
  std::string out;
  for (std::string_view chunk : chunks_of(data, cuts)) {
    const auto status = compressor.compress(chunk, out);
    RC_ASSERT(status.ok());
  }
  RC_ASSERT(compressor.finish(out).ok());
  return out;
}

RC_GTEST_PROP(ZstdProperty, StreamingRoundTripOverAnyChunking, ()) {
  const std::string data = *gen_blob();
  const int level = *rc::gen::inRange(1, 6);
  const std::string compressed = compress_in_chunks(data, *gen_cuts(data.size()), level);

  ZstdDecompressor decompressor;
  std::string out;
  const auto max_output = static_cast<std::int64_t>(data.size());
  for (std::string_view chunk : chunks_of(compressed, *gen_cuts(compressed.size()))) {
    RC_ASSERT(decompressor.decompress(chunk, out, max_output).ok());
  }
  RC_ASSERT(decompressor.finish().ok());
  RC_ASSERT(decompressor.total_output() == max_output);
  RC_ASSERT(out == data);
}

RC_GTEST_PROP(ZstdProperty, OneShotHelpersRoundTrip, ()) {
  const std::string data = *gen_blob();
  const auto back = zstd_decompress(zstd_compress(data), static_cast<std::int64_t>(data.size()));
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == data);
}

// BS-COMP-08: a compressed stream may be several frames back to back.
RC_GTEST_PROP(ZstdProperty, ConcatenatedFramesDecodeToTheConcatenation, ()) {
  const auto parts = *rc::gen::container<std::vector<std::string>>(
      *rc::gen::inRange<std::size_t>(1, 5), gen_blob());
  std::string compressed;
  std::string expected;
  for (const std::string& part : parts) {
    compressed += zstd_compress(part);
    expected += part;
  }
  ZstdDecompressor decompressor;
  std::string out;
  for (std::string_view chunk : chunks_of(compressed, *gen_cuts(compressed.size()))) {
    RC_ASSERT(decompressor.decompress(chunk, out, static_cast<std::int64_t>(expected.size())).ok());
  }
  RC_ASSERT(decompressor.finish().ok());
  RC_ASSERT(out == expected);
}

// Cutting a frame short anywhere leaves finish() failing (the blob would be incomplete).
RC_GTEST_PROP(ZstdProperty, TruncatedFrameFailsAtFinish, ()) {
  const std::string data = *gen_blob();
  const std::string compressed = zstd_compress(data);
  const auto keep = *rc::gen::inRange<std::size_t>(1, compressed.size());
  ZstdDecompressor decompressor;
  std::string out;
  const auto status = decompressor.decompress(compressed.substr(0, keep), out,
                                              static_cast<std::int64_t>(data.size()));
  RC_ASSERT(status.ok());
  const auto finished = decompressor.finish();
  RC_ASSERT(finished.code() == absl::StatusCode::kInvalidArgument);
  RC_ASSERT(!finished.message().empty());
}

// Any bound below the real size is enforced, however the input is chunked.
RC_GTEST_PROP(ZstdProperty, OutputBoundIsEnforced, ()) {
  const std::string data =
      *rc::gen::suchThat(gen_blob(), [](const std::string& s) { return !s.empty(); });
  const auto bound = *rc::gen::inRange<std::int64_t>(0, static_cast<std::int64_t>(data.size()));
  const std::string compressed = zstd_compress(data);
  ZstdDecompressor decompressor;
  std::string out;
  absl::Status status;
  for (std::string_view chunk : chunks_of(compressed, *gen_cuts(compressed.size()))) {
    status = decompressor.decompress(chunk, out, bound);
    if (!status.ok()) break;
  }
  RC_ASSERT(status.code() == absl::StatusCode::kInvalidArgument);
  RC_ASSERT(!status.message().empty());
  RC_ASSERT(static_cast<std::int64_t>(out.size()) <= bound);
  RC_ASSERT(out == data.substr(0, out.size()));
}

TEST(Zstd, DecompressionBombIsStoppedEarly) {
  // 256 MiB of zeros compresses to a few KiB; with a 1 MiB bound the decompressor must give
  // up long before producing it all.
  ZstdCompressor compressor(3);
  std::string bomb;
  const std::string zeros(1 << 20, '\0');
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(compressor.compress(zeros, bomb).ok());
  ASSERT_TRUE(compressor.finish(bomb).ok());
  ASSERT_LT(bomb.size(), 64u * 1024);

  ZstdDecompressor decompressor;
  std::string out;
  const auto status = decompressor.decompress(bomb, out, 1 << 20);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("1048576"), std::string::npos) << status;
  // Nothing past the bound reaches the caller's buffer.
  EXPECT_LE(out.size(), 1u << 20);
  EXPECT_LE(decompressor.total_output(), 1 << 20);

  const auto one_shot = zstd_decompress(bomb, 1 << 20);
  EXPECT_EQ(one_shot.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Zstd, EmptyBlobRoundTrips) {
  const std::string compressed = zstd_compress("");
  EXPECT_FALSE(compressed.empty());  // a frame, even for no data
  const auto back = zstd_decompress(compressed, 0);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, "");
}

TEST(Zstd, EmptyInputIsNoFrame) {
  ZstdDecompressor decompressor;
  std::string out;
  EXPECT_TRUE(decompressor.decompress("", out, 100).ok());
  EXPECT_EQ(out, "");
  EXPECT_EQ(decompressor.total_output(), 0);
  EXPECT_EQ(decompressor.finish().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zstd_decompress("", 100).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Zstd, GarbageIsRejected) {
  for (const std::string& garbage :
       {std::string("hello, world"), std::string(64, '\0'), std::string(100, '\xff'),
        std::string("\x28\xb5\x2f\xfd\xff\xff\xff\xff\xff\xff", 10)}) {
    ZstdDecompressor decompressor;
    std::string out;
    const auto status = decompressor.decompress(garbage, out, 1 << 20);
    const auto finished = status.ok() ? decompressor.finish() : status;
    EXPECT_EQ(finished.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_FALSE(finished.message().empty());
  }
}

TEST(Zstd, CorruptedPayloadFailsTheChecksum) {
  // Our compressor writes a content checksum, so a flipped byte in the payload is caught.
  std::string data;
  for (int i = 0; i < 5000; ++i) data += std::to_string(i * 7919 % 10007) + ",";
  std::string compressed = zstd_compress(data);
  compressed[compressed.size() / 2] = static_cast<char>(compressed[compressed.size() / 2] ^ 0x5a);
  EXPECT_FALSE(zstd_decompress(compressed, static_cast<std::int64_t>(data.size()) * 2).ok());
}

TEST(Zstd, TrailingGarbageAfterAFrameIsRejected) {
  const std::string compressed = zstd_compress("payload") + "junk";
  EXPECT_FALSE(zstd_decompress(compressed, 1000).ok());
}

TEST(Zstd, MovedObjectsKeepWorking) {
  ZstdCompressor compressor;
  std::string compressed;
  ASSERT_TRUE(compressor.compress("abc", compressed).ok());
  ZstdCompressor moved = std::move(compressor);
  ASSERT_TRUE(moved.compress("def", compressed).ok());
  ASSERT_TRUE(moved.finish(compressed).ok());

  ZstdDecompressor decompressor;
  ZstdDecompressor moved_decompressor = std::move(decompressor);
  std::string out;
  ASSERT_TRUE(moved_decompressor.decompress(compressed, out, 6).ok());
  EXPECT_TRUE(moved_decompressor.finish().ok());
  EXPECT_EQ(out, "abcdef");
}

}  // namespace
}  // namespace reapi

namespace reapi {
namespace {

// A frame whose last block exactly fills the decoder's 128 KiB output buffer is whole: the
// decoder must not go on to wait for another frame's header (a bug the service tests found).
TEST(ZstdDecompressor, FrameEndingOnAnOutputBufferBoundaryIsComplete) {
  for (std::size_t blocks : {1u, 2u, 8u}) {
    std::string blob;
    while (blob.size() < blocks * (128u << 10))
      blob += "compressible-" + std::to_string(blob.size() % 97);
    blob.resize(blocks * (128u << 10));
    const std::string frame = zstd_compress(blob);
    ZstdDecompressor whole;
    std::string out;
    ASSERT_TRUE(whole.decompress(frame, out, static_cast<std::int64_t>(blob.size())).ok());
    EXPECT_TRUE(whole.finish().ok()) << blocks << " blocks: " << whole.finish();
    EXPECT_TRUE(out == blob);
    auto one_shot = zstd_decompress(frame, static_cast<std::int64_t>(blob.size()));
    ASSERT_TRUE(one_shot.ok()) << one_shot.status();
    EXPECT_TRUE(*one_shot == blob);
  }
}

}  // namespace
}  // namespace reapi
