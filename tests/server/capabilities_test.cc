// GetCapabilities of the reference server (shared/reapi/capabilities.md).

#include <google/protobuf/util/message_differencer.h>

#include <set>

#include "server_fixture.h"

namespace reference::testing {
namespace {

class CapabilitiesTest : public ServerTest {};

// CAP-01, CAP-02, CAP-03: OK for the default instance, cache capabilities present and no
// execution capabilities on this cache-only endpoint.
TEST_P(CapabilitiesTest, AnswersWithCacheCapabilitiesOnly) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(has_code(get_capabilities("", caps), grpc::StatusCode::OK));
  EXPECT_TRUE(caps.has_cache_capabilities());
  EXPECT_FALSE(caps.has_execution_capabilities());
}

// CAP-04, CAP-06: exactly the configured functions, no UNKNOWN, not both MD5 and MURMUR3.
TEST_P(CapabilitiesTest, ListsTheConfiguredDigestFunctions) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  std::multiset<int> listed(caps.cache_capabilities().digest_functions().begin(),
                            caps.cache_capabilities().digest_functions().end());
  EXPECT_EQ(listed, (std::multiset<int>{v2::DigestFunction::SHA256, v2::DigestFunction::SHA1,
                                        v2::DigestFunction::MD5, v2::DigestFunction::SHA384,
                                        v2::DigestFunction::SHA512}));
  EXPECT_EQ(listed.count(v2::DigestFunction::UNKNOWN), 0u);
}

// CAP-04 with a one-function configuration: the list follows the configuration.
TEST_P(CapabilitiesTest, ListsOnlySha256WhenConfiguredSo) {
  ServerConfig config = default_config();
  config.digest_functions = {reapi::DigestFunction::sha256};
  ASSERT_NO_FATAL_FAILURE(restart(config));
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  ASSERT_EQ(caps.cache_capabilities().digest_functions_size(), 1);
  EXPECT_EQ(caps.cache_capabilities().digest_functions(0), v2::DigestFunction::SHA256);
}

// CAP-07, CAP-08: update_enabled is true on a writable server.
TEST_P(CapabilitiesTest, UpdateEnabledWhenWritable) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  EXPECT_TRUE(caps.cache_capabilities().action_cache_update_capabilities().update_enabled());
}

// CAP-07: update_enabled is false when the server is read-only.
TEST_P(CapabilitiesTest, UpdateDisabledWhenReadOnly) {
  ServerConfig config = default_config();
  config.read_only = true;
  ASSERT_NO_FATAL_FAILURE(restart(config));
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  EXPECT_TRUE(caps.cache_capabilities().has_action_cache_update_capabilities());
  EXPECT_FALSE(caps.cache_capabilities().action_cache_update_capabilities().update_enabled());
}

// CAP-09, CAP-10: the advertised batch limit is the configured one, positive, and leaves
// at least 64 KiB of framing room under gRPC's default 4 MiB.
TEST_P(CapabilitiesTest, AdvertisesTheBatchLimit) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  const std::int64_t limit = caps.cache_capabilities().max_batch_total_size_bytes();
  EXPECT_EQ(limit, default_config().max_batch_total_size_bytes);
  EXPECT_GT(limit, 0);
  EXPECT_LE(limit, (4 << 20) - (64 << 10));
}

// CAP-12, CAP-13: ZSTD in both compressor lists, IDENTITY in neither.
TEST_P(CapabilitiesTest, AdvertisesZstdForByteStreamAndBatches) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  const auto& cache = caps.cache_capabilities();
  ASSERT_EQ(cache.supported_compressors_size(), 1);
  EXPECT_EQ(cache.supported_compressors(0), v2::Compressor::ZSTD);
  ASSERT_EQ(cache.supported_batch_update_compressors_size(), 1);
  EXPECT_EQ(cache.supported_batch_update_compressors(0), v2::Compressor::ZSTD);
}

// CAP-11: a valid symlink strategy (the reference server keeps absolute symlinks as given).
TEST_P(CapabilitiesTest, SymlinkStrategyIsAllowed) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  EXPECT_EQ(caps.cache_capabilities().symlink_absolute_path_strategy(),
            v2::SymlinkAbsolutePathStrategy::ALLOWED);
}

// CAP-18: no per-blob limit unless configured (blob_size_limit_test.cc); CAP-19, CAP-20:
// split/splice in split_splice_test.cc.
TEST_P(CapabilitiesTest, NoBlobLimitByDefault) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  EXPECT_EQ(caps.cache_capabilities().max_cas_blob_size_bytes(), 0);
}

// CAP-15, CAP-17: low 2.0.0 <= high, both major 2, no prerelease; deprecated <= low.
TEST_P(CapabilitiesTest, ApiVersionRangeStartsAt2_0) {
  v2::ServerCapabilities caps;
  ASSERT_TRUE(get_capabilities("", caps).ok());
  ASSERT_TRUE(caps.has_low_api_version());
  ASSERT_TRUE(caps.has_high_api_version());
  const auto& low = caps.low_api_version();
  const auto& high = caps.high_api_version();
  EXPECT_EQ(low.major(), 2);
  EXPECT_EQ(low.minor(), 0);
  EXPECT_EQ(low.patch(), 0);
  EXPECT_TRUE(low.prerelease().empty());
  EXPECT_EQ(high.major(), 2);
  EXPECT_TRUE(high.prerelease().empty());
  const auto as_tuple = [](const build::bazel::semver::SemVer& v) {
    return std::make_tuple(v.major(), v.minor(), v.patch());
  };
  EXPECT_LE(as_tuple(low), as_tuple(high));
  if (caps.has_deprecated_api_version()) {
    EXPECT_LE(as_tuple(caps.deprecated_api_version()), as_tuple(low));
  }
}

// CAP-22: repeated calls give identical answers.
TEST_P(CapabilitiesTest, AnswersAreStable) {
  v2::ServerCapabilities first;
  ASSERT_TRUE(get_capabilities("", first).ok());
  for (int i = 0; i < 3; ++i) {
    v2::ServerCapabilities again;
    ASSERT_TRUE(get_capabilities("", again).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, again));
  }
}

// CAP-01, CAP-21, COM-11: a configured multi-segment instance answers like the default one.
TEST_P(CapabilitiesTest, ConfiguredMultiSegmentInstanceWorks) {
  v2::ServerCapabilities default_caps;
  v2::ServerCapabilities ab_caps;
  ASSERT_TRUE(get_capabilities("", default_caps).ok());
  ASSERT_TRUE(has_code(get_capabilities("a/b", ab_caps), grpc::StatusCode::OK));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(default_caps, ab_caps));
}

// COM-13: an instance the server does not serve is refused with INVALID_ARGUMENT.
TEST_P(CapabilitiesTest, UnknownInstanceIsInvalidArgument) {
  v2::ServerCapabilities caps;
  EXPECT_TRUE(
      has_code(get_capabilities("no-such-instance", caps), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(get_capabilities("a", caps), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(get_capabilities("a/b/c", caps), grpc::StatusCode::INVALID_ARGUMENT));
}

// CAP-01: a server configured without the default instance refuses "" but serves its own.
TEST_P(CapabilitiesTest, OnlyConfiguredInstancesAreServed) {
  ServerConfig config = default_config();
  config.instances = {"main"};
  ASSERT_NO_FATAL_FAILURE(restart(config));
  v2::ServerCapabilities caps;
  EXPECT_TRUE(has_code(get_capabilities("main", caps), grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(get_capabilities("", caps), grpc::StatusCode::INVALID_ARGUMENT));
}

INSTANTIATE_ON_BOTH_BACKENDS(CapabilitiesTest);

}  // namespace
}  // namespace reference::testing
