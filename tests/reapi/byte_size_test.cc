// Human byte sizes on command lines ("4MiB", "2GB", "17").

#include "reapi/byte_size.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace reapi {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

TEST(ParseByteSize, UnitsAndPlainNumbers) {
  const std::vector<std::pair<std::string, std::int64_t>> cases{
      {"0", 0},
      {"17", 17},
      {"17B", 17},
      {"0B", 0},
      {"1KiB", 1024},
      {"64KiB", 64 * 1024},
      {"512MiB", std::int64_t{512} << 20},
      {"2GiB", std::int64_t{2} << 30},
      {"3TiB", std::int64_t{3} << 40},
      {"1KB", 1000},
      {"4MB", 4'000'000},
      {"2GB", 2'000'000'000},
      {"5TB", 5'000'000'000'000},
      {"007KiB", 7 * 1024},
      {"9223372036854775807", kMax},
      {"9223372036854775807B", kMax},
      {"8388607TiB", std::int64_t{8388607} << 40},
  };
  for (const auto& [text, want] : cases) {
    const auto got = parse_byte_size(text);
    ASSERT_TRUE(got.ok()) << text << ": " << got.status();
    EXPECT_EQ(*got, want) << text;
  }
}

TEST(ParseByteSize, Rejects) {
  for (const char* bad : {"",
                          "B",
                          "KiB",
                          "-1",
                          "-1KiB",
                          "+5",
                          " 5",
                          "5 ",
                          "5 KiB",
                          "1.5MiB",
                          "5kib",
                          "5KIB",
                          "5k",
                          "5XB",
                          "0x10",
                          "1e6",
                          "9223372036854775808",
                          "99999999999999999999",
                          "8388608TiB",  // 2^63 bytes: one past INT64_MAX
                          "9223372036854775807KiB",
                          "10000000TB"}) {
    const auto got = parse_byte_size(bad);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_FALSE(got.status().message().empty()) << bad;
  }
}

TEST(FormatByteSize, LargestExactBinaryUnit) {
  EXPECT_EQ(format_byte_size(0), "0B");
  EXPECT_EQ(format_byte_size(17), "17B");
  EXPECT_EQ(format_byte_size(1000), "1000B");
  EXPECT_EQ(format_byte_size(1024), "1KiB");
  EXPECT_EQ(format_byte_size(1536 * 1024), "1536KiB");
  EXPECT_EQ(format_byte_size(std::int64_t{4} << 20), "4MiB");
  EXPECT_EQ(format_byte_size(std::int64_t{2} << 30), "2GiB");
  EXPECT_EQ(format_byte_size(std::int64_t{5} << 40), "5TiB");
  EXPECT_EQ(format_byte_size(std::int64_t{1} << 50), "1024TiB");
  EXPECT_EQ(format_byte_size(kMax), "9223372036854775807B");
}

RC_GTEST_PROP(ByteSizeProperty, FormatThenParseIsIdentity, ()) {
  const auto bytes = *rc::gen::oneOf(
      rc::gen::inRange<std::int64_t>(0, kMax),
      rc::gen::map(
          rc::gen::pair(rc::gen::inRange<std::int64_t>(0, 1 << 20), rc::gen::inRange(0, 44)),
          [](const auto& p) { return p.first << p.second; }));
  const auto parsed = parse_byte_size(format_byte_size(bytes));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == bytes);
}

}  // namespace
}  // namespace reapi
