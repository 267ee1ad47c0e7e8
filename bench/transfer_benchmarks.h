#pragma once
// The big ByteStream transfers: Write of a fresh blob every iteration, then Read of it back.
// Only the RPCs are timed; renewing and hashing the blob, and checking what came back, run
// with the timer paused.

#include <benchmark/benchmark.h>

#include <optional>
#include <random>
#include <string>

#include "bench_config.h"
#include "fresh_blob.h"
#include "reapi/digest.h"
#include "reapi/target.h"

namespace reapi_bench {

// Memory shared by every transfer benchmark, so a 256 MiB run holds one blob and one
// receive buffer whichever server it talks to.
struct TransferBuffers {
  // `received` gets its pages touched up front, so no Read pays the page faults.
  TransferBuffers(std::int64_t blob_size, reapi::DigestFunction fn, std::mt19937_64& rng);

  FreshBlob blob;
  std::string received;
};

// One server the transfers run against.
class TransferBench {
 public:
  // `verify_reads` is false for the null server, whose Read returns filler, not the blob.
  TransferBench(const reapi::Target& target, const BenchConfig& config, TransferBuffers& buffers,
                std::mt19937_64& rng, bool verify_reads);

  void write(benchmark::State& state);
  void read(benchmark::State& state);

 private:
  // Once per server, untimed: moves a small blob each way so the connection is up and
  // HTTP/2 flow-control windows have grown before the first timed transfer; otherwise
  // whichever benchmark runs first pays for it.
  absl::Status warm_up();
  // Uploads a fresh blob, for a Read benchmark run without the Write one before it.
  absl::Status upload_fresh_blob();
  std::string write_name() const;

  const reapi::Target& target_;
  const BenchConfig& config_;
  TransferBuffers& buffers_;
  std::mt19937_64& rng_;
  bool verify_reads_;
  // The last blob this server accepted; what read() reads back.
  std::optional<reapi::Digest> last_written_;
  bool warmed_up_ = false;
};

// Registers "{label}/ByteStream.Write" and "{label}/ByteStream.Read"; `bench` must outlive
// the benchmark run.
void register_transfer_benchmarks(const std::string& label, TransferBench& bench,
                                  const BenchConfig& config);

}  // namespace reapi_bench
