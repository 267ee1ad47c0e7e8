// ByteStream resource names by example: the examples of bytestream.md 1.1 and one case per
// malformed form (BS-NAME-01..09, COM-12). Generated cases live in
// resource_name_property_test.cc.

#include "reapi/resource_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reapi {
namespace {

// sha256("hello"), the hash of the examples in bytestream.md 1.1.
const std::string kHello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const std::string kUuid = "0b7c6c4e-2b44-4a43-9d0b-3c2d8f1e7a55";
const std::string kBlake3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
const std::string kSha1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";

BlobResourceName parse_read_ok(const std::string& text) {
  auto parsed = parse_read_resource_name(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  return parsed.ok() ? *parsed : BlobResourceName{};
}

BlobResourceName parse_write_ok(const std::string& text) {
  auto parsed = parse_write_resource_name(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  return parsed.ok() ? *parsed : BlobResourceName{};
}

TEST(ResourceNameExamples, ReadEmptyInstance) {  // BS-NAME-01
  const std::string text = "blobs/" + kHello + "/5";
  const auto n = parse_read_ok(text);
  EXPECT_EQ(n.instance_name, "");
  EXPECT_EQ(n.upload_id, "");
  EXPECT_EQ(n.compressor, Compressor::identity);
  EXPECT_EQ(n.digest_function, std::nullopt);
  EXPECT_EQ(n.digest, (Digest{kHello, 5}));
  EXPECT_EQ(n.metadata, "");
  EXPECT_FALSE(n.is_upload());
  EXPECT_EQ(format_read_resource_name(n), text);
}

TEST(ResourceNameExamples, ReadNamedInstance) {  // BS-NAME-01
  const std::string text = "main/blobs/" + kHello + "/5";
  const auto n = parse_read_ok(text);
  EXPECT_EQ(n.instance_name, "main");
  EXPECT_EQ(n.digest, (Digest{kHello, 5}));
  EXPECT_EQ(format_read_resource_name(n), text);
}

TEST(ResourceNameExamples, WriteEmptyInstance) {  // BS-NAME-02
  const std::string text = "uploads/" + kUuid + "/blobs/" + kHello + "/5";
  const auto n = parse_write_ok(text);
  EXPECT_EQ(n.instance_name, "");
  EXPECT_EQ(n.upload_id, kUuid);
  EXPECT_TRUE(n.is_upload());
  EXPECT_EQ(n.compressor, Compressor::identity);
  EXPECT_EQ(n.digest, (Digest{kHello, 5}));
  EXPECT_EQ(n.metadata, "");
  EXPECT_EQ(format_write_resource_name(n), text);
}

TEST(ResourceNameExamples, CompressedReadWithSlashInInstance) {  // BS-NAME-08
  const std::string text = "a/b/compressed-blobs/zstd/" + kHello + "/5";
  const auto n = parse_read_ok(text);
  EXPECT_EQ(n.instance_name, "a/b");
  EXPECT_EQ(n.compressor, Compressor::zstd);
  EXPECT_EQ(n.digest, (Digest{kHello, 5}));
  EXPECT_EQ(format_read_resource_name(n), text);
}

TEST(ResourceNameExamples, Blake3SpellsOutTheFunction) {  // BS-NAME-05
  const std::string text = "blobs/blake3/" + kBlake3 + "/5";
  const auto n = parse_read_ok(text);
  EXPECT_EQ(n.digest_function, DigestFunction::blake3);
  EXPECT_EQ(n.digest, (Digest{kBlake3, 5}));
  EXPECT_EQ(format_read_resource_name(n), text);
}

TEST(ResourceNameExamples, GitSha1AndSha256TreeSpellOutTheFunction) {  // BS-NAME-05
  EXPECT_EQ(parse_read_ok("blobs/gitsha1/" + kSha1 + "/5").digest_function,
            DigestFunction::gitsha1);
  EXPECT_EQ(parse_read_ok("compressed-blobs/zstd/sha256tree/" + kHello + "/5").digest_function,
            DigestFunction::sha256tree);
  // The same 40-hex hash without a segment is SHA-1 by length (COM-08).
  EXPECT_EQ(parse_read_ok("blobs/" + kSha1 + "/5").digest_function, std::nullopt);
}

TEST(ResourceNameExamples, UploadMetadataIsKept) {  // BS-NAME-03
  const std::string text = "uploads/" + kUuid + "/blobs/" + kHello + "/5/some/extra/path.txt";
  const auto n = parse_write_ok(text);
  EXPECT_EQ(n.metadata, "some/extra/path.txt");
  EXPECT_EQ(n.digest, (Digest{kHello, 5}));
  EXPECT_EQ(format_write_resource_name(n), text);
}

TEST(ResourceNameExamples, CompressedUploadWithInstanceAndFunction) {
  const std::string text =
      "x/y/z/uploads/" + kUuid + "/compressed-blobs/deflate/blake3/" + kBlake3 + "/1024";
  const auto n = parse_write_ok(text);
  EXPECT_EQ(n.instance_name, "x/y/z");
  EXPECT_EQ(n.upload_id, kUuid);
  EXPECT_EQ(n.compressor, Compressor::deflate);
  EXPECT_EQ(n.digest_function, DigestFunction::blake3);
  EXPECT_EQ(n.digest, (Digest{kBlake3, 1024}));
  EXPECT_EQ(format_write_resource_name(n), text);
}

TEST(ResourceNameExamples, ExtremeSizes) {
  EXPECT_EQ(parse_read_ok("blobs/" + kHello + "/0").digest.size_bytes, 0);
  EXPECT_EQ(parse_read_ok("blobs/" + kHello + "/9223372036854775807").digest.size_bytes, INT64_MAX);
}

TEST(ResourceNameFormat, ReadNameIgnoresUploadParts) {
  BlobResourceName n;
  n.instance_name = "i";
  n.upload_id = kUuid;
  n.metadata = "m";
  n.digest = {kHello, 5};
  EXPECT_EQ(format_read_resource_name(n), "i/blobs/" + kHello + "/5");
  EXPECT_EQ(format_write_resource_name(n), "i/uploads/" + kUuid + "/blobs/" + kHello + "/5/m");
}

TEST(ResourceNameFormat, InferredFunctionIsLeftOut) {  // BS-NAME-06
  BlobResourceName n;
  n.digest_function = DigestFunction::sha256;
  n.digest = {kHello, 5};
  EXPECT_EQ(format_read_resource_name(n), "blobs/" + kHello + "/5");
}

struct BadName {
  std::string text;
  std::string what;
};

void expect_invalid(const absl::StatusOr<BlobResourceName>& parsed, const BadName& bad) {
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
      << bad.what << ": '" << bad.text << "' gave " << parsed.status();
  EXPECT_FALSE(parsed.status().message().empty()) << bad.what;
}

TEST(ResourceNameRejects, MalformedReadNames) {  // BS-NAME-06, -07, -09, COM-02, COM-04, COM-12
  const std::vector<BadName> cases{
      {"", "empty string"},
      {"/", "only a slash"},
      {"blobs", "keyword only"},
      {"blobs/" + kHello, "missing size"},
      {"blobs/" + kHello + "/", "empty size"},
      {"blobs/" + kHello + "/abc", "non-decimal size"},
      {"blobs/" + kHello + "/0x5", "hex size"},
      {"blobs/" + kHello + "/5.0", "fractional size"},
      {"blobs/" + kHello + "/-1", "negative size"},
      {"blobs/" + kHello + "/+5", "size with a plus sign"},
      {"blobs/" + kHello + "/ 5", "size with a space"},
      {"blobs/" + kHello + "/9223372036854775808", "size past INT64_MAX"},
      {"blobs/" + kHello + "/99999999999999999999999", "size far past INT64_MAX"},
      {"blobs/2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824/5",
       "uppercase hash"},
      {"blobs/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g/5", "non-hex hash"},
      {"blobs/" + kHello.substr(1) + "/5", "63-hex hash"},
      {"blobs/" + kHello + "0/5", "65-hex hash"},
      {"blobs/xyz/3", "short non-hex hash"},
      {"blobs/sha256/" + kHello + "/5", "explicit segment for sha256"},
      {"blobs/sha1/" + kSha1 + "/5", "explicit segment for sha1"},
      {"blobs/blake3/" + kSha1 + "/5", "blake3 with a 40-hex hash"},
      {"blobs/gitsha1/" + kHello + "/5", "gitsha1 with a 64-hex hash"},
      {"blobs/BLAKE3/" + kBlake3 + "/5", "uppercase function segment"},
      {"compressed-blobs/lzma/" + kHello + "/5", "unknown compressor"},
      {"compressed-blobs/ZSTD/" + kHello + "/5", "uppercase compressor"},
      {"compressed-blobs/identity/" + kHello + "/5", "identity compressor"},
      {"compressed-blobs/" + kHello + "/5", "missing compressor"},
      {"compressed-blobs", "compressed-blobs only"},
      {"blobs/" + kHello + "/5/extra", "trailing segment"},
      {"blobs/" + kHello + "/5/", "trailing slash"},
      {"uploads/" + kUuid + "/blobs/" + kHello + "/5", "upload name given to Read"},
      {"actions/blobs/" + kHello + "/5", "reserved word as instance"},
      {"a/actionResults/blobs/" + kHello + "/5", "reserved word inside the instance"},
      {"operations/blobs/" + kHello + "/5", "reserved word 'operations'"},
      {"capabilities/blobs/" + kHello + "/5", "reserved word 'capabilities'"},
      {"/blobs/" + kHello + "/5", "leading slash, empty instance"},
      {"/main/blobs/" + kHello + "/5", "leading slash before the instance"},
      {"a//b/blobs/" + kHello + "/5", "doubled slash inside the instance"},
      {"main//blobs/" + kHello + "/5", "doubled slash before the keyword"},
      {"main/" + kHello + "/5", "no keyword"},
      {"main/blob/" + kHello + "/5", "misspelled keyword"},
  };
  for (const BadName& bad : cases) expect_invalid(parse_read_resource_name(bad.text), bad);
}

TEST(ResourceNameRejects, MalformedWriteNames) {  // BS-NAME-07
  const std::string tail = "/blobs/" + kHello + "/5";
  const std::vector<BadName> cases{
      {"", "empty string"},
      {"blobs/" + kHello + "/5", "blobs/ name given to Write"},
      {"main/compressed-blobs/zstd/" + kHello + "/5", "compressed read name given to Write"},
      {"uploads" + tail, "missing upload id"},
      {"uploads/" + tail, "empty upload id"},
      {"uploads/" + kUuid, "nothing after the upload id"},
      {"uploads/" + kUuid + "/" + kHello + "/5", "no blobs/ after the upload id"},
      {"uploads/" + kUuid + "/blobs/" + kHello, "missing size"},
      {"uploads/" + kUuid + "/blobs/" + kHello + "/-5", "negative size"},
      {"uploads/" + kUuid + "/blobs/sha256/" + kHello + "/5", "explicit sha256 segment"},
      {"uploads/" + kUuid + "/compressed-blobs/identity/" + kHello + "/5", "identity"},
      {"uploads/" + kUuid + "/compressed-blobs/gzip/" + kHello + "/5", "unknown compressor"},
      {"/uploads/" + kUuid + tail, "leading slash"},
      {"a//b/uploads/" + kUuid + tail, "doubled slash in the instance"},
      {"operations/uploads/" + kUuid + tail, "reserved word in the instance"},
  };
  for (const BadName& bad : cases) expect_invalid(parse_write_resource_name(bad.text), bad);
}

TEST(InstanceNames, ReservedWordsAreExactlyTheSeven) {  // COM-12
  for (const char* word : {"blobs", "uploads", "actions", "actionResults", "operations",
                           "capabilities", "compressed-blobs"}) {
    EXPECT_TRUE(is_reserved_instance_segment(word)) << word;
    EXPECT_FALSE(validate_instance_name(word).ok()) << word;
    EXPECT_FALSE(validate_instance_name(std::string("a/") + word + "/b").ok()) << word;
  }
  // Case-sensitive, whole segments only; "size" was never adopted.
  for (const char* word : {"Blobs", "actionresults", "blobs2", "size", "upload", ""}) {
    EXPECT_FALSE(is_reserved_instance_segment(word)) << word;
  }
}

TEST(InstanceNames, Validation) {  // COM-11, COM-12
  for (const char* ok : {"", "main", "a/b", "a/b/c", "x.y-z_1", "Blobs/size"}) {
    EXPECT_TRUE(validate_instance_name(ok).ok()) << ok;
  }
  for (const char* bad : {"/", "/a", "a/", "a//b", "a/uploads", "capabilities"}) {
    const auto status = validate_instance_name(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(status.message().empty()) << bad;
  }
}

}  // namespace
}  // namespace reapi
