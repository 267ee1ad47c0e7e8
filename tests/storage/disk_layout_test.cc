// Blob paths of the disk backend: every valid key maps to a path of harmless characters
// that parses back to the same key, and nothing but that canonical path parses.

#include "storage/disk_layout.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "reapi/digest.h"
#include "test_support.h"

namespace reference::testing {
namespace {

using disk_layout::blob_path;
using disk_layout::parse_blob_path;

const std::vector<reapi::DigestFunction> kFunctions = {
    reapi::DigestFunction::sha256,  reapi::DigestFunction::sha1,
    reapi::DigestFunction::md5,     reapi::DigestFunction::vso,
    reapi::DigestFunction::sha384,  reapi::DigestFunction::sha512,
    reapi::DigestFunction::murmur3, reapi::DigestFunction::sha256tree,
    reapi::DigestFunction::blake3,  reapi::DigestFunction::gitsha1,
};

TEST(DiskLayout, EveryValidKeyRoundTripsThroughAHarmlessPath) {
  check_property(300, [] {
    BlobKey key;
    key.function = *rc::gen::elementOf(kFunctions);
    key.digest.hash = *rc::gen::container<std::string>(
        reapi::hex_length(key.function), rc::gen::elementOf(std::string("0123456789abcdef")));
    key.digest.size_bytes = *rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 62);
    if (*rc::gen::arbitrary<bool>()) {
      key.space = Space::action_cache;
      key.instance_name = *rc::gen::resize(static_cast<int>(disk_layout::kMaxInstanceNameBytes),
                                           rc::gen::string<std::string>());
    }
    auto path = blob_path(key);
    RC_ASSERT(path.ok());
    for (const char c : *path) {
      RC_ASSERT(
          ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_'));
    }
    RC_ASSERT(path->find("//") == std::string::npos);
    RC_ASSERT(path->front() != '/');
    auto parsed = parse_blob_path(*path);
    RC_ASSERT(parsed.ok());
    RC_ASSERT(*parsed == key);
  });
}

TEST(DiskLayout, OnlyCanonicalPathsParse) {
  const std::string h = std::string(64, 'b');
  EXPECT_TRUE(parse_blob_path("cas/sha256/bb/" + h + "-5").ok());
  EXPECT_TRUE(parse_blob_path("ac/_/sha256/bb/" + h + "-5").ok());
  EXPECT_TRUE(parse_blob_path("ac/6d61696e/sha256/bb/" + h + "-5").ok());
  for (const std::string& bad : {
           "cas/sha256/bb/" + h + "-05",
           "cas/sha256/bb/" + h + "-+5",
           "cas/sha256/bb/" + h + "--5",
           "cas/sha256/bb/" + h + "-",
           "cas/sha256/bb/" + h,
           "cas/sha256/ab/" + h + "-5",
           "cas/sha1/bb/" + h + "-5",
           "cas/SHA256/bb/" + h + "-5",
           "cas/sha256/BB/" + std::string(64, 'B') + "-5",
           "cas/sha256/bb/x/" + h + "-5",
           "cas/bb/" + h + "-5",
           "ac/sha256/bb/" + h + "-5",
           "ac//sha256/bb/" + h + "-5",
           "ac/6D61696E/sha256/bb/" + h + "-5",
           "ac/6d6/sha256/bb/" + h + "-5",
           "ac/zz/sha256/bb/" + h + "-5",
           "tmp/sha256/bb/" + h + "-5",
           "cas/sha256/bb/" + h + "-99999999999999999999",
           std::string(),
       }) {
    EXPECT_EQ(parse_blob_path(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace reference::testing
