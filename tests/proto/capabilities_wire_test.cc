// Capabilities messages decoded from hand-written wire bytes (wire.md section 5), every
// CacheCapabilities field including the v2.12 additions 8-12.

#include <gtest/gtest.h>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "build/bazel/semver/semver.pb.h"
#include "wire_bytes.h"

namespace {

namespace v2 = build::bazel::remote::execution::v2;
using wire::bytes_field;
using wire::int_field;
using wire::packed_field;
using wire::uint_field;

std::string semver_bytes(int major, int minor, int patch, const std::string& prerelease) {
  return int_field(1, major) + int_field(2, minor) + int_field(3, patch) +
         bytes_field(4, prerelease);
}

TEST(CapabilitiesWire, SemVer) {
  build::bazel::semver::SemVer v;
  ASSERT_TRUE(wire::decodes(semver_bytes(2, 12, 1, "rc1"), v));
  EXPECT_EQ(v.major(), 2);
  EXPECT_EQ(v.minor(), 12);
  EXPECT_EQ(v.patch(), 1);
  EXPECT_EQ(v.prerelease(), "rc1");
}

TEST(CapabilitiesWire, GetCapabilitiesRequest) {
  v2::GetCapabilitiesRequest req;
  ASSERT_TRUE(wire::decodes(bytes_field(1, "main"), req));
  EXPECT_EQ(req.instance_name(), "main");
}

TEST(CapabilitiesWire, CacheCapabilitiesEveryField) {
  const std::string priority_range = int_field(1, -5) + int_field(2, 7);
  const std::string cache =
      packed_field(1, {1, 9, 10}) +                     // digest_functions
      bytes_field(2, int_field(1, 1)) +                 // action_cache_update_capabilities
      bytes_field(3, bytes_field(1, priority_range)) +  // cache_priority_capabilities
      int_field(4, 4 << 20) +                           // max_batch_total_size_bytes
      int_field(5, 2) +                                 // symlink_absolute_path_strategy
      packed_field(6, {1, 2}) +                         // supported_compressors
      packed_field(7, {1}) +                            // supported_batch_update_compressors
      int_field(8, std::int64_t{1} << 40) +             // max_cas_blob_size_bytes
      int_field(9, 1) +                                 // split_blob_support
      int_field(10, 1) +                                // splice_blob_support
      bytes_field(11, uint_field(1, 65536) + uint_field(2, 0xffffffffu)) +  // fast_cdc_2020
      bytes_field(12, uint_field(1, 4096) + uint_field(2, 1u << 20));       // rep_max_cdc
  v2::CacheCapabilities c;
  ASSERT_TRUE(wire::decodes(cache, c));
  ASSERT_EQ(c.digest_functions_size(), 3);
  EXPECT_EQ(c.digest_functions(0), v2::DigestFunction::SHA256);
  EXPECT_EQ(c.digest_functions(1), v2::DigestFunction::BLAKE3);
  EXPECT_EQ(c.digest_functions(2), v2::DigestFunction::GITSHA1);
  EXPECT_TRUE(c.action_cache_update_capabilities().update_enabled());
  ASSERT_EQ(c.cache_priority_capabilities().priorities_size(), 1);
  EXPECT_EQ(c.cache_priority_capabilities().priorities(0).min_priority(), -5);
  EXPECT_EQ(c.cache_priority_capabilities().priorities(0).max_priority(), 7);
  EXPECT_EQ(c.max_batch_total_size_bytes(), 4 << 20);
  EXPECT_EQ(c.symlink_absolute_path_strategy(), v2::SymlinkAbsolutePathStrategy::ALLOWED);
  ASSERT_EQ(c.supported_compressors_size(), 2);
  EXPECT_EQ(c.supported_compressors(0), v2::Compressor::ZSTD);
  EXPECT_EQ(c.supported_compressors(1), v2::Compressor::DEFLATE);
  ASSERT_EQ(c.supported_batch_update_compressors_size(), 1);
  EXPECT_EQ(c.supported_batch_update_compressors(0), v2::Compressor::ZSTD);
  EXPECT_EQ(c.max_cas_blob_size_bytes(), std::int64_t{1} << 40);
  EXPECT_TRUE(c.split_blob_support());
  EXPECT_TRUE(c.splice_blob_support());
  EXPECT_EQ(c.fast_cdc_2020_params().avg_chunk_size_bytes(), 65536u);
  EXPECT_EQ(c.fast_cdc_2020_params().seed(), 0xffffffffu);
  EXPECT_EQ(c.rep_max_cdc_params().min_chunk_size_bytes(), 4096u);
  EXPECT_EQ(c.rep_max_cdc_params().horizon_size_bytes(), 1u << 20);
}

TEST(CapabilitiesWire, ServerCapabilities) {
  const std::string execution =
      int_field(1, 1) + int_field(2, 1) + bytes_field(4, "OSFamily") + packed_field(5, {1});
  const std::string bytes = bytes_field(1, packed_field(1, {1})) + bytes_field(2, execution) +
                            bytes_field(3, semver_bytes(1, 0, 0, "")) +
                            bytes_field(4, semver_bytes(2, 0, 0, "")) +
                            bytes_field(5, semver_bytes(2, 12, 0, ""));
  v2::ServerCapabilities caps;
  // Zero-valued fields are not written by serializers, so build the SemVers without them.
  const std::string canonical = bytes_field(1, packed_field(1, {1})) + bytes_field(2, execution) +
                                bytes_field(3, int_field(1, 1)) + bytes_field(4, int_field(1, 2)) +
                                bytes_field(5, int_field(1, 2) + int_field(2, 12));
  ASSERT_TRUE(caps.ParseFromString(bytes));
  EXPECT_EQ(wire::unknown_fields(caps), std::vector<std::string>{});
  EXPECT_EQ(caps.SerializeAsString(), canonical);
  ASSERT_EQ(caps.cache_capabilities().digest_functions_size(), 1);
  EXPECT_EQ(caps.execution_capabilities().digest_function(), v2::DigestFunction::SHA256);
  EXPECT_TRUE(caps.execution_capabilities().exec_enabled());
  ASSERT_EQ(caps.execution_capabilities().supported_node_properties_size(), 1);
  EXPECT_EQ(caps.execution_capabilities().supported_node_properties(0), "OSFamily");
  ASSERT_EQ(caps.execution_capabilities().digest_functions_size(), 1);
  EXPECT_EQ(caps.deprecated_api_version().major(), 1);
  EXPECT_EQ(caps.low_api_version().major(), 2);
  EXPECT_EQ(caps.high_api_version().major(), 2);
  EXPECT_EQ(caps.high_api_version().minor(), 12);
}

}  // namespace
