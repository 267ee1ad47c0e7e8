#include "transfer_benchmarks.h"

#include <algorithm>

#include "bench_error.h"
#include "blob_names.h"
#include "bytestream_client.h"

namespace reapi_bench {
namespace {

// Big enough for flow control to reach its steady window, small next to a real transfer.
constexpr std::int64_t kWarmUpBytes = std::int64_t{16} << 20;

}  // namespace

TransferBuffers::TransferBuffers(std::int64_t blob_size, reapi::DigestFunction fn,
                                 std::mt19937_64& rng)
    : blob(blob_size, fn, rng) {
  received.resize(static_cast<std::size_t>(blob_size));
  received.clear();  // keeps the capacity, and the pages now mapped
}

TransferBench::TransferBench(const reapi::Target& target, const BenchConfig& config,
                             TransferBuffers& buffers, std::mt19937_64& rng, bool verify_reads)
    : target_(target), config_(config), buffers_(buffers), rng_(rng), verify_reads_(verify_reads) {}

std::string TransferBench::write_name() const {
  return upload_name(target_.instance_name(), random_uuid(rng_), config_.digest_function,
                     buffers_.blob.digest());
}

absl::Status TransferBench::warm_up() {
  if (warmed_up_) return absl::OkStatus();
  FreshBlob small(std::min(kWarmUpBytes, config_.blob_size), config_.digest_function, rng_);
  small.renew();
  const TransferOptions options{config_.chunk_size, config_.transfer_deadline};
  const std::string name = upload_name(target_.instance_name(), random_uuid(rng_),
                                       config_.digest_function, small.digest());
  if (auto committed = write_blob(target_, name, small.data(), options); !committed.ok()) {
    return committed.status();
  }
  std::string back;
  absl::Status read = read_blob(
      target_, download_name(target_.instance_name(), config_.digest_function, small.digest()),
      back, options);
  if (!read.ok()) return read;
  warmed_up_ = true;
  return absl::OkStatus();
}

void TransferBench::write(benchmark::State& state) {
  if (absl::Status warm = warm_up(); !warm.ok()) {
    fail_before_loop(state, "warming up (a small ByteStream Write and Read): " + warm.ToString());
    return;
  }
  const TransferOptions options{config_.chunk_size, config_.transfer_deadline};
  const std::int64_t size = config_.blob_size;
  for (auto _ : state) {
    state.PauseTiming();
    buffers_.blob.renew();
    const std::string name = write_name();
    state.ResumeTiming();

    auto committed = write_blob(target_, name, buffers_.blob.data(), options);

    state.PauseTiming();
    if (!committed.ok()) {
      fail_benchmark(state, "ByteStream.Write " + name + ": " + committed.status().ToString());
      break;
    }
    // BS-WRITE-03: a completed uncompressed upload commits exactly the blob's size.
    if (*committed != size) {
      fail_benchmark(state, "ByteStream.Write " + name + ": committed_size " +
                                std::to_string(*committed) + ", expected " + std::to_string(size));
      break;
    }
    last_written_ = buffers_.blob.digest();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * size);
}

absl::Status TransferBench::upload_fresh_blob() {
  buffers_.blob.renew();
  const TransferOptions options{config_.chunk_size, config_.transfer_deadline};
  auto committed = write_blob(target_, write_name(), buffers_.blob.data(), options);
  if (!committed.ok()) return committed.status();
  if (*committed != config_.blob_size) {
    return absl::DataLossError("committed_size " + std::to_string(*committed) + ", expected " +
                               std::to_string(config_.blob_size));
  }
  last_written_ = buffers_.blob.digest();
  return absl::OkStatus();
}

void TransferBench::read(benchmark::State& state) {
  if (absl::Status warm = warm_up(); !warm.ok()) {
    fail_before_loop(state, "warming up (a small ByteStream Write and Read): " + warm.ToString());
    return;
  }
  if (!last_written_) {
    if (absl::Status uploaded = upload_fresh_blob(); !uploaded.ok()) {
      fail_before_loop(state, "uploading the blob to read: " + uploaded.ToString());
      return;
    }
  }
  const reapi::Digest digest = *last_written_;
  const std::string name = download_name(target_.instance_name(), config_.digest_function, digest);
  const TransferOptions options{config_.chunk_size, config_.transfer_deadline};
  for (auto _ : state) {
    absl::Status status = read_blob(target_, name, buffers_.received, options);

    state.PauseTiming();
    if (!status.ok()) {
      fail_benchmark(state, "ByteStream.Read " + name + ": " + status.ToString());
      break;
    }
    // BS-READ-01: the whole blob, byte for byte. The null server sends filler, so only its
    // length can be checked.
    const auto received_size = static_cast<std::int64_t>(buffers_.received.size());
    if (received_size != digest.size_bytes) {
      fail_benchmark(state, "ByteStream.Read " + name + " returned " +
                                std::to_string(received_size) + " bytes, expected " +
                                std::to_string(digest.size_bytes));
      break;
    }
    if (verify_reads_) {
      const reapi::Digest got = reapi::digest_of(config_.digest_function, buffers_.received);
      if (got != digest) {
        fail_benchmark(state, "ByteStream.Read " + name + " returned bytes hashing to " +
                                  got.to_string() + ": DATA MISMATCH");
        break;
      }
    }
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * digest.size_bytes);
}

void register_transfer_benchmarks(const std::string& label, TransferBench& bench,
                                  const BenchConfig& config) {
  for (auto [method, run] : {std::pair{"ByteStream.Write", &TransferBench::write},
                             std::pair{"ByteStream.Read", &TransferBench::read}}) {
    const std::string name = label + "/" + method;
    benchmark::RegisterBenchmark(
        name.c_str(), [&bench, run = run](benchmark::State& state) { (bench.*run)(state); })
        ->Iterations(config.transfer_iterations)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace reapi_bench
