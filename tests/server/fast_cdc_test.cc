// The FastCDC 2020 chunker of SplitBlob (reference/server/fast_cdc.h): properties that any
// content-defined chunking must have, over random and low-entropy data.

#include "server/fast_cdc.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <numeric>
#include <random>

namespace reference::testing {
namespace {

// Bytes of one of three textures: random (cuts where the hash says), a short repeated
// pattern (few or no cuts: chunks up to max_size), or random runs of both.
std::string data_of(int texture, std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  std::size_t run = 0;
  bool random = texture == 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (texture == 2 && run-- == 0) {
      run = rng() % 20000;
      random = !random;
    }
    out[i] = random ? static_cast<char>(rng()) : static_cast<char>("ab"[i % (texture + 1) % 2]);
  }
  return out;
}

struct Case {
  std::uint64_t avg;
  std::uint32_t seed;
  std::string data;
};

// A chunker at a small average (1 to 8 KiB, so tens of chunks per case) and its input.
Case gen_case() {
  const auto avg = *rc::gen::element<std::uint64_t>(1024, 2048, 4096, 8192);
  const auto seed =
      *rc::gen::element<std::uint32_t>(0, 0, 666, *rc::gen::arbitrary<std::uint32_t>());
  const int texture = *rc::gen::inRange(0, 3);
  const auto size = *rc::gen::inRange<std::size_t>(0, 40 * avg);
  return {avg, seed, data_of(texture, size, *rc::gen::arbitrary<std::uint64_t>())};
}

FastCdc2020 chunker(const Case& c) { return *FastCdc2020::for_reapi(c.avg, c.seed); }

RC_GTEST_PROP(FastCdc2020, ChunksCoverTheInputExactly, ()) {
  const Case c = gen_case();
  const auto lengths = chunker(c).chunk_lengths(c.data);
  RC_ASSERT(std::accumulate(lengths.begin(), lengths.end(), std::size_t{0}) == c.data.size());
  for (std::size_t length : lengths) RC_ASSERT(length > 0u);
  RC_ASSERT(lengths.empty() == c.data.empty());
}

// REAPI: min = avg / 4, max = avg * 4; only the last chunk may be shorter than min.
RC_GTEST_PROP(FastCdc2020, ChunkSizesStayWithinMinAndMax, ()) {
  const Case c = gen_case();
  const FastCdc2020 cdc = chunker(c);
  RC_ASSERT(cdc.min_size() == c.avg / 4);
  RC_ASSERT(cdc.max_size() == c.avg * 4);
  const auto lengths = cdc.chunk_lengths(c.data);
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    RC_ASSERT(lengths[i] <= cdc.max_size());
    if (i + 1 < lengths.size()) RC_ASSERT(lengths[i] >= cdc.min_size());
  }
}

// Same parameters, same input: same boundaries, from any instance.
RC_GTEST_PROP(FastCdc2020, BoundariesAreDeterministic, ()) {
  const Case c = gen_case();
  RC_ASSERT(chunker(c).chunk_lengths(c.data) == chunker(c).chunk_lengths(c.data));
}

// A chunk's end depends only on the bytes from its start: chunking the input from any
// boundary gives the remaining chunks, and a window of max_size bytes is all a cut needs
// (what lets SplitBlob stream a blob and lets unchanged content keep its chunks).
RC_GTEST_PROP(FastCdc2020, BoundariesDependOnlyOnTheChunkItself, ()) {
  const Case c = gen_case();
  const FastCdc2020 cdc = chunker(c);
  const auto lengths = cdc.chunk_lengths(c.data);
  RC_PRE(!lengths.empty());
  const auto from = *rc::gen::inRange<std::size_t>(0, lengths.size());
  const std::size_t offset =
      std::accumulate(lengths.begin(), lengths.begin() + from, std::size_t{0});
  const std::string_view rest = std::string_view(c.data).substr(offset);
  RC_ASSERT(cdc.chunk_lengths(rest) ==
            std::vector<std::size_t>(lengths.begin() + from, lengths.end()));
  RC_ASSERT(cdc.cut(rest.substr(0, cdc.max_size())) == lengths[from]);
}

// Data with no boundary (one byte repeated) is cut at max_size.
TEST(FastCdc2020, UniformDataIsCutAtMaxSize) {
  const FastCdc2020 cdc = *FastCdc2020::for_reapi(4096, 0);
  const auto lengths = cdc.chunk_lengths(std::string(3 * cdc.max_size() + 5, 'x'));
  EXPECT_EQ(lengths, (std::vector<std::size_t>{cdc.max_size(), cdc.max_size(), cdc.max_size(), 5}));
}

// Input no longer than min_size is one chunk.
TEST(FastCdc2020, ShortInputIsOneChunk) {
  const FastCdc2020 cdc = *FastCdc2020::for_reapi(1024, 0);
  EXPECT_EQ(cdc.chunk_lengths(std::string(cdc.min_size(), 'y')),
            std::vector<std::size_t>{cdc.min_size()});
  EXPECT_EQ(cdc.chunk_lengths(""), std::vector<std::size_t>{});
}

// CAP-20: the REAPI range of the average, a power of two from 1 KiB to 1 MiB.
TEST(FastCdc2020, ReapiAverageMustBeAPowerOfTwoFrom1KiBTo1MiB) {
  EXPECT_TRUE(FastCdc2020::for_reapi(1024, 0).ok());
  EXPECT_TRUE(FastCdc2020::for_reapi(512 << 10, 0).ok());
  EXPECT_TRUE(FastCdc2020::for_reapi(1 << 20, 7).ok());
  EXPECT_FALSE(FastCdc2020::for_reapi(512, 0).ok());
  EXPECT_FALSE(FastCdc2020::for_reapi(2 << 20, 0).ok());
  EXPECT_FALSE(FastCdc2020::for_reapi(3000, 0).ok());
  EXPECT_FALSE(FastCdc2020::create(8192, 4096, 16384, 0).ok());  // min above avg
}

}  // namespace
}  // namespace reference::testing
