// ByteStream resource names, property-based: generated valid names survive
// format -> parse unchanged, and every way of breaking one is rejected with INVALID_ARGUMENT
// and a reason (bytestream.md 1.1, BS-NAME-01..09, COM-02, COM-04, COM-12).

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "generators.h"
#include "reapi/resource_name.h"

namespace reapi {
namespace {

using testing::gen_read_name;
using testing::gen_write_name;

// The name spelled out from the grammar by hand, independently of format_*_resource_name.
std::string spell_blob_part(const BlobResourceName& n) {
  std::string out = n.compressor == Compressor::identity
                        ? "blobs/"
                        : "compressed-blobs/" + std::string(name(n.compressor)) + "/";
  if (n.digest_function) out += std::string(name(*n.digest_function)) + "/";
  return out + n.digest.hash + "/" + std::to_string(n.digest.size_bytes);
}

std::string with_instance(const std::string& instance, const std::string& rest) {
  return instance.empty() ? rest : instance + "/" + rest;
}

std::string spell_read(const BlobResourceName& n) {
  return with_instance(n.instance_name, spell_blob_part(n));
}

std::string spell_write(const BlobResourceName& n) {
  std::string rest = "uploads/" + n.upload_id + "/" + spell_blob_part(n);
  if (!n.metadata.empty()) rest += "/" + n.metadata;
  return with_instance(n.instance_name, rest);
}

void assert_rejected(const absl::StatusOr<BlobResourceName>& parsed) {
  RC_ASSERT(parsed.status().code() == absl::StatusCode::kInvalidArgument);
  RC_ASSERT(!parsed.status().message().empty());
}

// Replaces the size at the end of a blob part (read names end with it).
std::string with_size_text(const BlobResourceName& n, const std::string& size) {
  const std::string text = spell_read(n);
  return text.substr(0, text.rfind('/') + 1) + size;
}

RC_GTEST_PROP(ResourceNameRoundTrip, ReadNames, ()) {  // BS-NAME-01, -05, -08
  const BlobResourceName n = *gen_read_name();
  const std::string text = format_read_resource_name(n);
  RC_ASSERT(text == spell_read(n));
  const auto parsed = parse_read_resource_name(text);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == n);
}

RC_GTEST_PROP(ResourceNameRoundTrip, WriteNames, ()) {  // BS-NAME-02, -03
  const BlobResourceName n = *gen_write_name();
  const std::string text = format_write_resource_name(n);
  RC_ASSERT(text == spell_write(n));
  const auto parsed = parse_write_resource_name(text);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == n);
}

RC_GTEST_PROP(ResourceNameRejects, MissingSize, ()) {
  const BlobResourceName n = *gen_read_name();
  const std::string text = spell_read(n);
  assert_rejected(parse_read_resource_name(text.substr(0, text.rfind('/'))));
}

RC_GTEST_PROP(ResourceNameRejects, NonDecimalSize, ()) {
  const BlobResourceName n = *gen_read_name();
  const std::string digits = std::to_string(*testing::gen_size());
  const std::string size = *rc::gen::oneOf(
      // a decimal number with one character that is not a digit put somewhere in it
      rc::gen::exec([&digits] {
        std::string s = digits;
        const char junk = *rc::gen::suchThat(
            rc::gen::arbitrary<char>(), [](char c) { return (c < '0' || c > '9') && c != '/'; });
        s.insert(*rc::gen::inRange<std::size_t>(0, s.size() + 1), 1, junk);
        return s;
      }),
      rc::gen::element<std::string>("", "+5", "+0", "abc", "0x10", "1e3", "5.0", " 5", "5 "));
  assert_rejected(parse_read_resource_name(with_size_text(n, size)));
}

RC_GTEST_PROP(ResourceNameRejects, NegativeSize, ()) {  // COM-04
  const BlobResourceName n = *gen_read_name();
  const auto magnitude =
      *rc::gen::inRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max());
  assert_rejected(parse_read_resource_name(with_size_text(n, "-" + std::to_string(magnitude))));
}

RC_GTEST_PROP(ResourceNameRejects, OverflowingSize, ()) {
  const BlobResourceName n = *gen_read_name();
  // INT64_MAX is 9223372036854775807 (19 digits): any 19-digit number from ...808 up, or any
  // number of 20 or more digits without a leading zero, overflows.
  const std::string size = *rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange<std::uint64_t>(9223372036854775808ull,
                                                   std::numeric_limits<std::uint64_t>::max()),
                   [](std::uint64_t v) { return std::to_string(v); }),
      rc::gen::exec([] {
        return std::string(1, *rc::gen::elementOf(std::string("123456789"))) +
               *rc::gen::container<std::string>(*rc::gen::inRange<std::size_t>(19, 40),
                                                rc::gen::elementOf(std::string("0123456789")));
      }));
  assert_rejected(parse_read_resource_name(with_size_text(n, size)));
}

RC_GTEST_PROP(ResourceNameRejects, UppercaseOrNonHexHash, ()) {  // COM-02
  BlobResourceName n = *gen_read_name();
  const auto at = *rc::gen::inRange<std::size_t>(0, n.digest.hash.size());
  n.digest.hash[at] =
      *rc::gen::oneOf(rc::gen::elementOf(std::string("ABCDEF")),
                      rc::gen::suchThat(rc::gen::arbitrary<char>(), [](char c) {
                        return testing::kLowerHex.find(c) == std::string_view::npos && c != '/';
                      }));
  assert_rejected(parse_read_resource_name(spell_read(n)));
  n.upload_id = *testing::gen_upload_id();
  assert_rejected(parse_write_resource_name(spell_write(n)));
}

RC_GTEST_PROP(ResourceNameRejects, WrongHashLength, ()) {
  BlobResourceName n = *gen_read_name();
  const auto valid_length = [&n](std::size_t length) {
    if (n.digest_function) return length == hex_length(*n.digest_function);
    // Without a segment, any length of a function inferred from length parses (COM-08).
    for (std::size_t ok : {32u, 40u, 64u, 66u, 96u, 128u})
      if (length == ok) return true;
    return false;
  };
  const auto length = *rc::gen::suchThat(rc::gen::inRange<std::size_t>(0, 200),
                                         [&](std::size_t l) { return !valid_length(l); });
  n.digest.hash = *testing::gen_lower_hex(length);
  assert_rejected(parse_read_resource_name(spell_read(n)));
}

RC_GTEST_PROP(ResourceNameRejects, ExplicitSegmentForInferredFunction, ()) {  // BS-NAME-06
  BlobResourceName n = *gen_read_name();
  const DigestFunction fn = *testing::gen_inferred_function();
  n.digest_function = fn;
  n.digest.hash = *testing::gen_hash(fn);
  assert_rejected(parse_read_resource_name(spell_read(n)));
  n.upload_id = *testing::gen_upload_id();
  assert_rejected(parse_write_resource_name(spell_write(n)));
}

RC_GTEST_PROP(ResourceNameRejects, UnknownOrIdentityCompressor, ()) {  // BS-NAME-09
  const BlobResourceName n = *gen_read_name();
  const std::string compressor =
      *rc::gen::oneOf(rc::gen::element<std::string>("identity", "IDENTITY", "Zstd", "gzip"),
                      rc::gen::suchThat(testing::gen_segment(), [](const std::string& s) {
                        return s != "zstd" && s != "deflate" && s != "brotli";
                      }));
  BlobResourceName plain = n;
  plain.compressor = Compressor::identity;
  const std::string text = with_instance(
      n.instance_name, "compressed-blobs/" + compressor + "/" +
                           spell_blob_part(plain).substr(std::string("blobs/").size()));
  assert_rejected(parse_read_resource_name(text));
}

RC_GTEST_PROP(ResourceNameRejects, TrailingSegmentsOnReadNames, ()) {  // BS-NAME-07
  const BlobResourceName n = *gen_read_name();
  const std::string extra = *rc::gen::oneOf(testing::gen_metadata(), rc::gen::just(std::string()));
  assert_rejected(parse_read_resource_name(spell_read(n) + "/" + extra));
}

RC_GTEST_PROP(ResourceNameRejects, UploadNamesForReads, ()) {  // BS-NAME-07
  assert_rejected(parse_read_resource_name(spell_write(*gen_write_name())));
}

RC_GTEST_PROP(ResourceNameRejects, BlobNamesForWrites, ()) {  // BS-NAME-07
  assert_rejected(parse_write_resource_name(spell_read(*gen_read_name())));
}

RC_GTEST_PROP(ResourceNameRejects, MissingUploadId, ()) {
  const BlobResourceName n = *gen_write_name();
  const std::string rest = spell_blob_part(n);
  assert_rejected(parse_write_resource_name(with_instance(n.instance_name, "uploads/" + rest)));
  assert_rejected(parse_write_resource_name(with_instance(n.instance_name, "uploads//" + rest)));
}

RC_GTEST_PROP(ResourceNameRejects, ReservedWordInInstance, ()) {  // COM-12
  BlobResourceName n = *gen_write_name();
  const std::string word = std::string(*rc::gen::elementOf(testing::kReservedWords));
  const std::string before = *testing::gen_instance_name();
  const std::string after = *testing::gen_instance_name();
  n.instance_name = with_instance(with_instance(before, word), after);
  if (n.instance_name.back() == '/') n.instance_name.pop_back();
  assert_rejected(parse_write_resource_name(spell_write(n)));
  assert_rejected(parse_read_resource_name(spell_read(n)));
}

RC_GTEST_PROP(ResourceNameRejects, EmptyInstanceSegments, ()) {  // BS-NAME-07
  const BlobResourceName n = *gen_write_name();
  const std::string read = spell_read(n);
  const std::string write = spell_write(n);
  // A leading '/' (also when the instance is empty).
  assert_rejected(parse_read_resource_name("/" + read));
  assert_rejected(parse_write_resource_name("/" + write));
  // A doubled '/' at a segment boundary of the instance part, including the one before the
  // keyword.
  if (!n.instance_name.empty()) {
    std::vector<std::size_t> slashes;
    for (std::size_t i = 0; i <= n.instance_name.size(); ++i) {
      if (i == n.instance_name.size() || n.instance_name[i] == '/') slashes.push_back(i);
    }
    const std::size_t at = *rc::gen::elementOf(slashes);
    assert_rejected(parse_read_resource_name(read.substr(0, at) + "/" + read.substr(at)));
    assert_rejected(parse_write_resource_name(write.substr(0, at) + "/" + write.substr(at)));
  }
}

// Whatever a parse accepts, formatting it again gives a name that parses to the same value.
RC_GTEST_PROP(ResourceNameRoundTrip, ParseFormatParseIsStable, (const std::string& junk)) {
  const BlobResourceName n = *gen_write_name();
  // Splice arbitrary text into a valid name to reach odd corners of the grammar.
  std::string text = spell_write(n);
  text.insert(*rc::gen::inRange<std::size_t>(0, text.size() + 1), junk);
  if (auto w = parse_write_resource_name(text); w.ok()) {
    RC_ASSERT(parse_write_resource_name(format_write_resource_name(*w)) == w);
  }
  if (auto r = parse_read_resource_name(text); r.ok()) {
    RC_ASSERT(parse_read_resource_name(format_read_resource_name(*r)) == r);
  }
}

}  // namespace
}  // namespace reapi
