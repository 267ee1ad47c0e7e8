// FindMissingBlobs of the reference server (shared/reapi/cas.md section 1, common.md).

#include <set>

#include "server_fixture.h"

namespace reference::testing {
namespace {

using reapi::DigestFunction;

class FindMissingBlobsTest : public ServerTest {};

std::multiset<std::string> as_set(const std::vector<v2::Digest>& digests) {
  std::multiset<std::string> out;
  for (const auto& d : digests) out.insert(d.hash() + "/" + std::to_string(d.size_bytes()));
  return out;
}

// CAS-FMB-01, CAS-FMB-02, CAS-FMB-03: exactly the absent digests, as a set, and OK.
TEST_P(FindMissingBlobsTest, ReportsExactlyTheAbsentDigests) {
  const Blob a = make_blob("stored a");
  const Blob b = make_blob("stored b");
  ASSERT_TRUE(upload({a, b}));
  std::vector<v2::Digest> absent;
  for (int i = 0; i < 10; ++i) absent.push_back(absent_digest(i + 1));
  std::vector<v2::Digest> request{absent[3], a.digest, absent[0]};
  request.insert(request.end(), absent.begin() + 4, absent.end());
  request.push_back(b.digest);
  std::vector<v2::Digest> expected{absent[3], absent[0]};
  expected.insert(expected.end(), absent.begin() + 4, absent.end());

  std::vector<v2::Digest> missing;
  ASSERT_TRUE(has_code(find_missing(request, missing), grpc::StatusCode::OK));
  EXPECT_EQ(as_set(missing), as_set(expected));
}

// CAS-FMB-03: nothing stored at all is still OK, every digest listed.
TEST_P(FindMissingBlobsTest, AllMissingIsStillOk) {
  const std::vector<v2::Digest> request{absent_digest(1), absent_digest(2), absent_digest(3)};
  std::vector<v2::Digest> missing;
  ASSERT_TRUE(has_code(find_missing(request, missing), grpc::StatusCode::OK));
  EXPECT_EQ(as_set(missing), as_set(request));
}

// CAS-FMB-04: an empty request is OK with an empty answer.
TEST_P(FindMissingBlobsTest, EmptyRequestIsOk) {
  std::vector<v2::Digest> missing{absent_digest()};
  ASSERT_TRUE(has_code(find_missing({}, missing), grpc::StatusCode::OK));
  EXPECT_TRUE(missing.empty());
}

// CAS-FMB-05, COM-05: the empty blob of every advertised function is never missing, with the
// function given explicitly or inferred from the hash length.
TEST_P(FindMissingBlobsTest, EmptyBlobIsNeverMissing) {
  for (DigestFunction fn : {DigestFunction::sha256, DigestFunction::sha1, DigestFunction::md5,
                            DigestFunction::sha384, DigestFunction::sha512}) {
    SCOPED_TRACE(std::string(reapi::name(fn)));
    const v2::Digest empty = reapi::to_proto(reapi::empty_digest(fn));
    const v2::Digest absent = absent_digest(7, fn);
    for (int requested : {0, static_cast<int>(fn)}) {
      std::vector<v2::Digest> missing;
      ASSERT_TRUE(
          has_code(find_missing({empty, absent}, missing, "", requested), grpc::StatusCode::OK));
      EXPECT_EQ(as_set(missing), as_set({absent}));
    }
  }
}

// CAS-FMB-06: duplicates are answered consistently; the reference server answers once per
// occurrence (cas.md N1).
TEST_P(FindMissingBlobsTest, DuplicatesAreAnsweredPerOccurrence) {
  const Blob a = make_blob("present twice");
  ASSERT_TRUE(upload({a}));
  const v2::Digest b = absent_digest();
  std::vector<v2::Digest> missing;
  ASSERT_TRUE(has_code(find_missing({b, b, a.digest, a.digest}, missing), grpc::StatusCode::OK));
  EXPECT_EQ(as_set(missing), as_set({b, b}));
}

// CAS-FMB-08, COM-02: a hash of no function's length or with non-hex characters fails the
// whole call with INVALID_ARGUMENT.
TEST_P(FindMissingBlobsTest, MalformedHashIsInvalidArgument) {
  const v2::Digest valid = absent_digest();
  for (const std::string& hash :
       {std::string("zz"), std::string("xyz"), std::string(63, 'a'), std::string(65, 'a'),
        std::string(64, 'g'), std::string(""), "  " + std::string(62, 'a')}) {
    SCOPED_TRACE(hash);
    std::vector<v2::Digest> missing;
    EXPECT_TRUE(has_code(find_missing({valid, digest(hash, 1)}, missing),
                         grpc::StatusCode::INVALID_ARGUMENT));
  }
}

// COM-02 (ambiguity A1): the hash of a stored blob in uppercase is refused, not matched.
TEST_P(FindMissingBlobsTest, UppercaseHashIsInvalidArgument) {
  const Blob a = make_blob("hello");
  ASSERT_TRUE(upload({a}));
  std::vector<v2::Digest> missing;
  EXPECT_TRUE(has_code(find_missing({digest(to_upper(a.digest.hash()), 5)}, missing),
                       grpc::StatusCode::INVALID_ARGUMENT));
}

// COM-04, CAS-FMB-08: a negative size is refused.
TEST_P(FindMissingBlobsTest, NegativeSizeIsInvalidArgument) {
  const Blob a = make_blob("hello");
  ASSERT_TRUE(upload({a}));
  std::vector<v2::Digest> missing;
  EXPECT_TRUE(has_code(find_missing({digest(a.digest.hash(), -1)}, missing),
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(
      has_code(find_missing({absent_digest(-5)}, missing), grpc::StatusCode::INVALID_ARGUMENT));
}

// CAS-FMB-09, COM-03: the hash of a stored blob with a wrong size is missing.
TEST_P(FindMissingBlobsTest, WrongSizeOfStoredHashIsMissing) {
  const Blob hello = make_blob("hello");
  ASSERT_TRUE(upload({hello}));
  const v2::Digest longer = digest(hello.digest.hash(), 6);
  const v2::Digest shorter = digest(hello.digest.hash(), 4);
  std::vector<v2::Digest> missing;
  ASSERT_TRUE(
      has_code(find_missing({hello.digest, longer, shorter}, missing), grpc::StatusCode::OK));
  EXPECT_EQ(as_set(missing), as_set({longer, shorter}));
}

// COM-07, COM-08: blobs stored with an explicit SHA1 / SHA512 function are found with the
// function given, and with it inferred from the hash length.
TEST_P(FindMissingBlobsTest, ExplicitDigestFunctions) {
  for (DigestFunction fn : {DigestFunction::sha1, DigestFunction::sha512}) {
    SCOPED_TRACE(std::string(reapi::name(fn)));
    const Blob blob = make_blob("blob for " + std::string(reapi::name(fn)), fn);
    ASSERT_TRUE(upload({blob}, "", static_cast<int>(fn)));
    const v2::Digest absent = absent_digest(3, fn);
    for (int requested : {static_cast<int>(fn), 0}) {
      std::vector<v2::Digest> missing;
      ASSERT_TRUE(has_code(find_missing({blob.digest, absent}, missing, "", requested),
                           grpc::StatusCode::OK));
      EXPECT_EQ(as_set(missing), as_set({absent}));
    }
  }
}

// COM-08: a blob uploaded with the field unset is found with SHA256 given, and the other
// way round.
TEST_P(FindMissingBlobsTest, InferredAndExplicitSha256Agree) {
  const Blob unset = make_blob("uploaded without digest_function");
  const Blob explicit_fn = make_blob("uploaded with SHA256");
  ASSERT_TRUE(upload({unset}));
  ASSERT_TRUE(upload({explicit_fn}, "", v2::DigestFunction::SHA256));
  EXPECT_TRUE(is_stored(unset.digest, "", v2::DigestFunction::SHA256));
  EXPECT_TRUE(is_stored(explicit_fn.digest, "", 0));
}

// COM-07, COM-02: with digest_function set, the hash length is checked against that function.
TEST_P(FindMissingBlobsTest, DigestFunctionMustMatchHashLength) {
  const Blob sha256 = make_blob("length mismatch");
  ASSERT_TRUE(upload({sha256}));
  std::vector<v2::Digest> missing;
  // A 64-hex hash is not a SHA-512 hash.
  EXPECT_TRUE(has_code(find_missing({sha256.digest}, missing, "", v2::DigestFunction::SHA512),
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(find_missing({sha256.digest}, missing, "", v2::DigestFunction::SHA1),
                       grpc::StatusCode::INVALID_ARGUMENT));
}

// COM-09: functions the server does not serve are refused with INVALID_ARGUMENT: BLAKE3
// (not configured), a number that is no DigestFunction, and GITSHA1.
TEST_P(FindMissingBlobsTest, UnsupportedDigestFunctionIsInvalidArgument) {
  std::vector<v2::Digest> missing;
  EXPECT_TRUE(has_code(find_missing({absent_digest()}, missing, "", v2::DigestFunction::BLAKE3),
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(find_missing({absent_digest()}, missing, "", 42),
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(find_missing({absent_digest(3, DigestFunction::sha1)}, missing, "",
                                    v2::DigestFunction::GITSHA1),
                       grpc::StatusCode::INVALID_ARGUMENT));
}

// COM-09: on a server configured with SHA-256 only, MD5 is refused, explicitly or inferred
// from a 32-hex hash; so is SHA-1's 40-hex length.
TEST_P(FindMissingBlobsTest, Md5OnSha256OnlyServerIsInvalidArgument) {
  ServerConfig config = default_config();
  config.digest_functions = {DigestFunction::sha256};
  ASSERT_NO_FATAL_FAILURE(restart(config));
  const v2::Digest md5 = absent_digest(3, DigestFunction::md5);
  std::vector<v2::Digest> missing;
  EXPECT_TRUE(has_code(find_missing({md5}, missing, "", v2::DigestFunction::MD5),
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(find_missing({md5}, missing, "", 0), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(find_missing({absent_digest(3, DigestFunction::sha1)}, missing),
                       grpc::StatusCode::INVALID_ARGUMENT));
  // SHA-256 still works.
  EXPECT_TRUE(has_code(find_missing({absent_digest()}, missing), grpc::StatusCode::OK));
}

// COM-11: instances share nothing but syntax: a blob uploaded under "a/b" is found there.
TEST_P(FindMissingBlobsTest, MultiSegmentInstance) {
  const Blob blob = make_blob("in a/b");
  ASSERT_TRUE(upload({blob}, "a/b"));
  EXPECT_TRUE(is_stored(blob.digest, "a/b"));
}

// COM-13: unknown instance refused.
TEST_P(FindMissingBlobsTest, UnknownInstanceIsInvalidArgument) {
  std::vector<v2::Digest> missing;
  EXPECT_TRUE(has_code(find_missing({absent_digest()}, missing, "nope"),
                       grpc::StatusCode::INVALID_ARGUMENT));
}

INSTANTIATE_ON_BOTH_BACKENDS(FindMissingBlobsTest);

}  // namespace
}  // namespace reference::testing
