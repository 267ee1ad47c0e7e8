// Facts about digest functions and compressors (common.md 1.1, wire.md 2): numbers, names,
// hex lengths, which are spelled out in resource names, and inference from length (COM-08).

#include "reapi/digest_function.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "reapi/compression.h"

namespace reapi {
namespace {

namespace v2 = build::bazel::remote::execution::v2;

struct Row {
  DigestFunction fn;
  int number;
  std::string_view name;
  std::size_t hex_length;
  bool inferred;
};

// common.md 1.1, typed in by hand.
constexpr std::array<Row, 10> kTable{{
    {DigestFunction::sha256, 1, "sha256", 64, true},
    {DigestFunction::sha1, 2, "sha1", 40, true},
    {DigestFunction::md5, 3, "md5", 32, true},
    {DigestFunction::vso, 4, "vso", 66, true},
    {DigestFunction::sha384, 5, "sha384", 96, true},
    {DigestFunction::sha512, 6, "sha512", 128, true},
    {DigestFunction::murmur3, 7, "murmur3", 32, true},
    {DigestFunction::sha256tree, 8, "sha256tree", 64, false},
    {DigestFunction::blake3, 9, "blake3", 64, false},
    {DigestFunction::gitsha1, 10, "gitsha1", 40, false},
}};

TEST(DigestFunctionFacts, MatchTheSpecTable) {
  for (const Row& row : kTable) {
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(static_cast<int>(row.fn), row.number);
    EXPECT_EQ(name(row.fn), row.name);
    EXPECT_EQ(digest_function_from_name(row.name), row.fn);
    EXPECT_EQ(digest_function_from_number(row.number), row.fn);
    EXPECT_EQ(hex_length(row.fn), row.hex_length);
    EXPECT_EQ(is_inferred_from_length(row.fn), row.inferred);
  }
}

TEST(DigestFunctionFacts, NumbersMatchTheProtoEnum) {
  EXPECT_EQ(static_cast<int>(DigestFunction::sha256), v2::DigestFunction::SHA256);
  EXPECT_EQ(static_cast<int>(DigestFunction::murmur3), v2::DigestFunction::MURMUR3);
  EXPECT_EQ(static_cast<int>(DigestFunction::gitsha1), v2::DigestFunction::GITSHA1);
  EXPECT_EQ(static_cast<int>(DigestFunction::unknown), v2::DigestFunction::UNKNOWN);
}

TEST(DigestFunctionFacts, UnknownAndOutOfRange) {
  EXPECT_EQ(name(DigestFunction::unknown), "unknown");
  EXPECT_EQ(hex_length(DigestFunction::unknown), 0u);
  EXPECT_FALSE(is_inferred_from_length(DigestFunction::unknown));
  EXPECT_FALSE(is_hashable(DigestFunction::unknown));
  EXPECT_EQ(digest_function_from_number(0), std::nullopt);
  EXPECT_EQ(digest_function_from_number(11), std::nullopt);
  EXPECT_EQ(digest_function_from_number(-1), std::nullopt);
  // Names are the lowercase enum names and nothing else.
  EXPECT_EQ(digest_function_from_name("SHA256"), std::nullopt);
  EXPECT_EQ(digest_function_from_name("unknown"), std::nullopt);
  EXPECT_EQ(digest_function_from_name(""), std::nullopt);
}

TEST(DigestFunctionFacts, HashableFunctionsAreTheOpenSslOnes) {
  const std::vector<DigestFunction> got(hashable_functions().begin(), hashable_functions().end());
  const std::vector<DigestFunction> want{DigestFunction::sha256, DigestFunction::sha1,
                                         DigestFunction::md5, DigestFunction::sha384,
                                         DigestFunction::sha512};
  EXPECT_EQ(got, want);
  for (DigestFunction fn : want) EXPECT_TRUE(is_hashable(fn));
  EXPECT_FALSE(is_hashable(DigestFunction::blake3));
}

TEST(InferFromLength, PicksOnlyFunctionsLeftOutOfNames) {  // COM-08
  const std::array enabled{DigestFunction::blake3, DigestFunction::sha256tree,
                           DigestFunction::gitsha1, DigestFunction::sha256, DigestFunction::sha1};
  EXPECT_EQ(infer_from_hex_length(64, enabled), DigestFunction::sha256);
  EXPECT_EQ(infer_from_hex_length(40, enabled), DigestFunction::sha1);
  EXPECT_EQ(infer_from_hex_length(32, enabled), std::nullopt);
  EXPECT_EQ(infer_from_hex_length(0, enabled), std::nullopt);

  const std::array explicit_only{DigestFunction::blake3, DigestFunction::gitsha1};
  EXPECT_EQ(infer_from_hex_length(64, explicit_only), std::nullopt);
  EXPECT_EQ(infer_from_hex_length(40, explicit_only), std::nullopt);

  const std::array wide{DigestFunction::sha384, DigestFunction::sha512, DigestFunction::vso};
  EXPECT_EQ(infer_from_hex_length(96, wide), DigestFunction::sha384);
  EXPECT_EQ(infer_from_hex_length(128, wide), DigestFunction::sha512);
  EXPECT_EQ(infer_from_hex_length(66, wide), DigestFunction::vso);
}

TEST(CompressorFacts, NamesAndNumbers) {
  const std::array<std::pair<Compressor, std::string_view>, 4> table{{
      {Compressor::identity, "identity"},
      {Compressor::zstd, "zstd"},
      {Compressor::deflate, "deflate"},
      {Compressor::brotli, "brotli"},
  }};
  for (const auto& [c, text] : table) {
    EXPECT_EQ(name(c), text);
    EXPECT_EQ(compressor_from_name(text), c);
    EXPECT_EQ(compressor_from_number(static_cast<int>(c)), c);
  }
  EXPECT_EQ(static_cast<int>(Compressor::zstd), v2::Compressor::ZSTD);
  EXPECT_EQ(static_cast<int>(Compressor::brotli), v2::Compressor::BROTLI);
  EXPECT_EQ(compressor_from_name("ZSTD"), std::nullopt);
  EXPECT_EQ(compressor_from_name("lzma"), std::nullopt);
  EXPECT_EQ(compressor_from_number(4), std::nullopt);
  EXPECT_EQ(compressor_from_number(-1), std::nullopt);
  EXPECT_EQ(name(static_cast<Compressor>(9)), "unknown");
}

}  // namespace
}  // namespace reapi
