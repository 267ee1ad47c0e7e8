#pragma once
// Latency of the small-blob calls a build makes by the thousand: FindMissingBlobs of a batch
// of digests, BatchUpdateBlobs and BatchReadBlobs of a batch of small blobs, and
// GetCapabilities. Every BatchUpdateBlobs iteration uploads blobs the server has never seen.

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include "bench_config.h"
#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "fresh_blob.h"
#include "reapi/target.h"

namespace reapi_bench {

class SmallBlobBench {
 public:
  SmallBlobBench(const reapi::Target& target, const BenchConfig& config, std::mt19937_64& rng);

  void find_missing_blobs(benchmark::State& state);
  void batch_update_blobs(benchmark::State& state);
  void batch_read_blobs(benchmark::State& state);
  void get_capabilities(benchmark::State& state);

 private:
  // Renews every blob of the batch and uploads them with one BatchUpdateBlobs.
  absl::Status upload_batch();
  // Ensures the batch is on the server, for benchmarks run without batch_update_blobs.
  absl::Status ensure_batch_stored();
  void set_digest_function(auto& request) const;

  const reapi::Target& target_;
  const BenchConfig& config_;
  std::mt19937_64& rng_;
  std::unique_ptr<build::bazel::remote::execution::v2::ContentAddressableStorage::Stub> cas_;
  std::unique_ptr<build::bazel::remote::execution::v2::Capabilities::Stub> capabilities_;
  std::vector<FreshBlob> batch_;
  bool batch_stored_ = false;
};

// Registers "target/FindMissingBlobs/N", "target/BatchUpdateBlobs/NxSIZE",
// "target/BatchReadBlobs/NxSIZE" and "target/GetCapabilities"; `bench` must outlive the run.
void register_small_blob_benchmarks(SmallBlobBench& bench, const BenchConfig& config);

}  // namespace reapi_bench
