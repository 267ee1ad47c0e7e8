// Hashing (known vectors, incremental == one-shot) and strict digest validation
// (COM-01, COM-02, COM-04, COM-05, COM-17).

#include "reapi/digest.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "generators.h"

namespace reapi {
namespace {

using build::bazel::remote::execution::v2::Directory;

struct Vector {
  DigestFunction fn;
  std::string input;
  std::string hash;
};

// Empty-blob values from common.md 1.1; "abc" and "hello" computed with coreutils
// (printf abc | sha256sum, ...).
const std::vector<Vector>& known_vectors() {
  static const std::vector<Vector> kVectors{
      {DigestFunction::md5, "", "d41d8cd98f00b204e9800998ecf8427e"},
      {DigestFunction::md5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
      {DigestFunction::md5, "hello", "5d41402abc4b2a76b9719d911017c592"},
      {DigestFunction::sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
      {DigestFunction::sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {DigestFunction::sha1, "hello", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},
      {DigestFunction::sha256, "",
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {DigestFunction::sha256, "abc",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {DigestFunction::sha256, "hello",
       "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
      {DigestFunction::sha384, "",
       "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f1"
       "4898b95b"},
      {DigestFunction::sha384, "abc",
       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca1"
       "34c825a7"},
      {DigestFunction::sha384, "hello",
       "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13d"
       "e828684f"},
      {DigestFunction::sha512, "",
       "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2"
       "877eec2f63b931bd47417a81a538327af927da3e"},
      {DigestFunction::sha512, "abc",
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
       "a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
      {DigestFunction::sha512, "hello",
       "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e"
       "14b8c5da0c4663475c2e5c3adef46f73bcdec043"},
  };
  return kVectors;
}

TEST(Hashing, KnownVectorsForEveryHashableFunction) {
  std::vector<DigestFunction> covered;
  for (const Vector& v : known_vectors()) {
    SCOPED_TRACE(std::string(name(v.fn)) + " of '" + v.input + "'");
    EXPECT_EQ(hash_hex(v.fn, v.input), v.hash);
    const Digest d = digest_of(v.fn, v.input);
    EXPECT_EQ(d.hash, v.hash);
    EXPECT_EQ(d.size_bytes, static_cast<std::int64_t>(v.input.size()));
    EXPECT_TRUE(validate_digest(v.fn, d).ok());
    covered.push_back(v.fn);
  }
  // Every function the library claims to hash has vectors above.
  for (DigestFunction fn : hashable_functions()) {
    EXPECT_NE(std::find(covered.begin(), covered.end(), fn), covered.end()) << name(fn);
  }
}

TEST(Hashing, EmptyDigestIsTheEmptyBlobHash) {  // COM-05
  for (const Vector& v : known_vectors()) {
    if (!v.input.empty()) continue;
    EXPECT_EQ(empty_digest(v.fn), (Digest{v.hash, 0})) << name(v.fn);
  }
}

TEST(Hashing, HasherFinishReportsSizeAndFunction) {
  auto hasher = Hasher::create(DigestFunction::sha256);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  EXPECT_EQ(hasher->function(), DigestFunction::sha256);
  hasher->update("hel");
  hasher->update("");
  hasher->update("lo");
  EXPECT_EQ(hasher->bytes_hashed(), 5);
  EXPECT_EQ(hasher->finish(),
            (Digest{"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", 5}));
}

TEST(Hashing, MovedHasherKeepsItsState) {
  auto hasher = Hasher::create(DigestFunction::sha1);
  ASSERT_TRUE(hasher.ok());
  hasher->update("ab");
  Hasher moved = *std::move(hasher);
  moved.update("c");
  EXPECT_EQ(moved.finish_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Hashing, UnhashableFunctionsAreRefused) {
  for (DigestFunction fn : testing::all_functions()) {
    if (is_hashable(fn)) continue;
    auto hasher = Hasher::create(fn);
    EXPECT_EQ(hasher.status().code(), absl::StatusCode::kInvalidArgument) << name(fn);
    EXPECT_FALSE(hasher.status().message().empty());
    EXPECT_EQ(hash_hex(fn, "abc"), "") << name(fn);
  }
  EXPECT_FALSE(Hasher::create(DigestFunction::unknown).ok());
}

TEST(Hashing, EmptyDirectoryDigestIsTheEmptyBlob) {  // COM-05 and COM-17
  EXPECT_EQ(digest_of_message(DigestFunction::sha256, Directory()),
            empty_digest(DigestFunction::sha256));
}

TEST(Hashing, MessageDigestHashesTheSerializedBytes) {  // COM-17
  Directory dir;
  auto* file = dir.add_files();
  file->set_name("a.txt");
  *file->mutable_digest() = to_proto(digest_of(DigestFunction::sha256, "hello"));
  EXPECT_EQ(digest_of_message(DigestFunction::sha256, dir),
            digest_of(DigestFunction::sha256, dir.SerializeAsString()));
}

TEST(DigestProto, RoundTrips) {
  const Digest d{std::string(64, 'a'), std::numeric_limits<std::int64_t>::max()};
  const auto proto = to_proto(d);
  EXPECT_EQ(proto.hash(), d.hash);
  EXPECT_EQ(proto.size_bytes(), d.size_bytes);
  EXPECT_EQ(from_proto(proto), d);
}

TEST(DigestText, ToStringIsHashSlashSize) { EXPECT_EQ((Digest{"abc", 12}).to_string(), "abc/12"); }

// Incremental hashing over any split of the input equals one-shot hashing.
RC_GTEST_PROP(HashingProperty, IncrementalEqualsOneShot, (const std::string& data)) {
  const DigestFunction fn = *rc::gen::elementOf(
      std::vector<DigestFunction>(hashable_functions().begin(), hashable_functions().end()));
  auto cuts = *rc::gen::container<std::vector<std::size_t>>(
      rc::gen::inRange<std::size_t>(0, data.size() + 1));
  std::sort(cuts.begin(), cuts.end());
  auto hasher = Hasher::create(fn);
  RC_ASSERT(hasher.ok());
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    hasher->update(std::string_view(data).substr(at, cut - at));
    at = cut;
  }
  hasher->update(std::string_view(data).substr(at));
  RC_ASSERT(hasher->bytes_hashed() == static_cast<std::int64_t>(data.size()));
  RC_ASSERT(hasher->finish() == digest_of(fn, data));
}

// Hashes the library produces are always valid digests for their function (COM-01).
RC_GTEST_PROP(HashingProperty, ProducedHashesValidate, (const std::string& data)) {
  for (DigestFunction fn : hashable_functions()) {
    RC_ASSERT(validate_digest(fn, digest_of(fn, data)).ok());
  }
}

// The reference check, written independently of the library.
bool is_lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return testing::kLowerHex.find(c) != std::string_view::npos; });
}

void expect_rejected(const absl::Status& status) {
  RC_ASSERT(status.code() == absl::StatusCode::kInvalidArgument);
  RC_ASSERT(!status.message().empty());
}

RC_GTEST_PROP(DigestValidation, AcceptsLowercaseHexOfTheRightLength, ()) {
  const DigestFunction fn = *testing::gen_any_function();
  const Digest d{*testing::gen_hash(fn), *testing::gen_size()};
  RC_ASSERT(validate_hash(fn, d.hash).ok());
  RC_ASSERT(validate_digest(fn, d).ok());
}

RC_GTEST_PROP(DigestValidation, RejectsWrongLength, ()) {  // COM-02
  const DigestFunction fn = *testing::gen_any_function();
  const auto length = *rc::gen::suchThat(rc::gen::inRange<std::size_t>(0, 300),
                                         [fn](std::size_t n) { return n != hex_length(fn); });
  const std::string hash = *testing::gen_lower_hex(length);
  expect_rejected(validate_hash(fn, hash));
  expect_rejected(validate_digest(fn, Digest{hash, 1}));
}

RC_GTEST_PROP(DigestValidation, RejectsUppercase, ()) {  // COM-02, ambiguity A1
  const DigestFunction fn = *testing::gen_any_function();
  std::string hash = *testing::gen_hash(fn);
  const auto at = *rc::gen::inRange<std::size_t>(0, hash.size());
  hash[at] = *rc::gen::elementOf(std::string("ABCDEF"));
  expect_rejected(validate_hash(fn, hash));
  expect_rejected(validate_digest(fn, Digest{hash, 0}));
}

RC_GTEST_PROP(DigestValidation, RejectsNonHexCharacter, ()) {  // COM-02
  const DigestFunction fn = *testing::gen_any_function();
  std::string hash = *testing::gen_hash(fn);
  const auto at = *rc::gen::inRange<std::size_t>(0, hash.size());
  hash[at] = *rc::gen::suchThat(rc::gen::arbitrary<char>(), [](char c) {
    return testing::kLowerHex.find(c) == std::string_view::npos;
  });
  RC_ASSERT(!is_lower_hex(hash));
  expect_rejected(validate_hash(fn, hash));
}

RC_GTEST_PROP(DigestValidation, RejectsNegativeSize, ()) {  // COM-04
  const DigestFunction fn = *testing::gen_any_function();
  const auto size =
      *rc::gen::oneOf(rc::gen::inRange<std::int64_t>(std::numeric_limits<std::int64_t>::min(), 0),
                      rc::gen::element<std::int64_t>(-1, std::numeric_limits<std::int64_t>::min()));
  expect_rejected(validate_digest(fn, Digest{*testing::gen_hash(fn), size}));
}

// validate_hash agrees with the definition on arbitrary strings, not just near misses.
RC_GTEST_PROP(DigestValidation, AgreesWithTheDefinition, (const std::string& hash)) {
  const DigestFunction fn = *testing::gen_any_function();
  const bool valid = hash.size() == hex_length(fn) && is_lower_hex(hash);
  RC_ASSERT(validate_hash(fn, hash).ok() == valid);
}

TEST(DigestValidation, UnknownFunctionIsRejected) {
  const auto status = validate_hash(DigestFunction::unknown, "");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(status.message().empty());
}

TEST(DigestValidation, ReasonNamesTheProblem) {
  const auto short_hash = validate_hash(DigestFunction::sha256, "abc");
  EXPECT_NE(std::string(short_hash.message()).find("64"), std::string::npos) << short_hash;
  const auto negative = validate_digest(DigestFunction::sha256, Digest{std::string(64, '0'), -1});
  EXPECT_NE(std::string(negative.message()).find("negative"), std::string::npos) << negative;
}

}  // namespace
}  // namespace reapi
