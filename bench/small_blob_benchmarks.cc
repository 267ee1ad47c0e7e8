#include "small_blob_benchmarks.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "bench_error.h"
#include "reapi/byte_size.h"
#include "reapi/digest.h"
#include "reapi/status.h"

namespace reapi_bench {
namespace {

namespace rev2 = build::bazel::remote::execution::v2;

std::string grpc_text(const grpc::Status& status) { return reapi::from_grpc(status).ToString(); }

// Checks one BatchUpdateBlobs answer: one OK result per uploaded blob (CAS-BUP-01, CAS-BUP-02).
absl::Status check_update_response(const rev2::BatchUpdateBlobsResponse& response,
                                   const std::vector<FreshBlob>& batch) {
  if (response.responses_size() != static_cast<int>(batch.size())) {
    return absl::DataLossError(std::to_string(response.responses_size()) + " results for " +
                               std::to_string(batch.size()) + " blobs");
  }
  std::set<reapi::Digest> expected;
  for (const FreshBlob& blob : batch) expected.insert(blob.digest());
  for (const auto& result : response.responses()) {
    const reapi::Digest digest = reapi::from_proto(result.digest());
    if (result.status().code() != 0) {
      return absl::DataLossError(digest.to_string() + ": " +
                                 reapi::from_rpc_status(result.status()).ToString());
    }
    if (expected.erase(digest) != 1) {
      return absl::DataLossError("result for a digest not uploaded: " + digest.to_string());
    }
  }
  return absl::OkStatus();
}

// Checks one BatchReadBlobs answer: every requested blob, OK, with bytes that hash to it.
absl::Status check_read_response(const rev2::BatchReadBlobsResponse& response,
                                 const std::vector<FreshBlob>& batch, reapi::DigestFunction fn) {
  if (response.responses_size() != static_cast<int>(batch.size())) {
    return absl::DataLossError(std::to_string(response.responses_size()) + " results for " +
                               std::to_string(batch.size()) + " blobs");
  }
  std::set<reapi::Digest> expected;
  for (const FreshBlob& blob : batch) expected.insert(blob.digest());
  for (const auto& result : response.responses()) {
    const reapi::Digest digest = reapi::from_proto(result.digest());
    if (result.status().code() != 0) {
      return absl::DataLossError(digest.to_string() + ": " +
                                 reapi::from_rpc_status(result.status()).ToString());
    }
    if (result.compressor() != rev2::Compressor::IDENTITY) {
      return absl::DataLossError(digest.to_string() + ": compressed although not asked to be");
    }
    if (reapi::digest_of(fn, result.data()) != digest) {
      return absl::DataLossError(digest.to_string() + ": DATA MISMATCH, the bytes hash to " +
                                 reapi::digest_of(fn, result.data()).to_string());
    }
    if (expected.erase(digest) != 1) {
      return absl::DataLossError("result for a digest not requested: " + digest.to_string());
    }
  }
  return absl::OkStatus();
}

}  // namespace

SmallBlobBench::SmallBlobBench(const reapi::Target& target, const BenchConfig& config,
                               std::mt19937_64& rng)
    : target_(target),
      config_(config),
      rng_(rng),
      cas_(rev2::ContentAddressableStorage::NewStub(target.channel())),
      capabilities_(rev2::Capabilities::NewStub(target.channel())) {
  batch_.reserve(static_cast<std::size_t>(config.small_blob_count));
  for (int i = 0; i < config.small_blob_count; ++i) {
    batch_.emplace_back(config.small_blob_size, config.digest_function, rng);
  }
}

void SmallBlobBench::set_digest_function(auto& request) const {
  // Left unset when the hash length implies the function, as resource names do (COM-08).
  if (!reapi::is_inferred_from_length(config_.digest_function)) {
    request.set_digest_function(static_cast<rev2::DigestFunction::Value>(config_.digest_function));
  }
}

absl::Status SmallBlobBench::upload_batch() {
  rev2::BatchUpdateBlobsRequest request;
  request.set_instance_name(target_.instance_name());
  set_digest_function(request);
  for (FreshBlob& blob : batch_) {
    blob.renew();
    auto* entry = request.add_requests();
    *entry->mutable_digest() = reapi::to_proto(blob.digest());
    entry->set_data(std::string(blob.data()));
  }
  grpc::ClientContext context;
  target_.prepare(context);
  rev2::BatchUpdateBlobsResponse response;
  const grpc::Status status = cas_->BatchUpdateBlobs(&context, request, &response);
  if (!status.ok()) return reapi::from_grpc(status);
  if (absl::Status checked = check_update_response(response, batch_); !checked.ok()) {
    return checked;
  }
  batch_stored_ = true;
  return absl::OkStatus();
}

absl::Status SmallBlobBench::ensure_batch_stored() {
  return batch_stored_ ? absl::OkStatus() : upload_batch();
}

void SmallBlobBench::find_missing_blobs(benchmark::State& state) {
  // Half the digests are stored, half never were, so both lookups are exercised and the
  // answer can be checked exactly (CAS-FMB rules).
  if (absl::Status stored = ensure_batch_stored(); !stored.ok()) {
    fail_before_loop(state, "BatchUpdateBlobs (setup): " + stored.ToString());
    return;
  }
  rev2::FindMissingBlobsRequest request;
  request.set_instance_name(target_.instance_name());
  set_digest_function(request);
  std::set<reapi::Digest> absent;
  const std::size_t present_count = batch_.size() / 2;
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    reapi::Digest digest = batch_[i].digest();
    if (i >= present_count) {
      digest =
          reapi::digest_of(config_.digest_function, random_bytes(config_.small_blob_size, rng_));
      absent.insert(digest);
    }
    *request.add_blob_digests() = reapi::to_proto(digest);
  }

  rev2::FindMissingBlobsResponse response;
  for (auto _ : state) {
    grpc::ClientContext context;
    target_.prepare(context);
    const grpc::Status status = cas_->FindMissingBlobs(&context, request, &response);

    state.PauseTiming();
    if (!status.ok()) {
      fail_benchmark(state, "FindMissingBlobs: " + grpc_text(status));
      break;
    }
    std::set<reapi::Digest> missing;
    for (const auto& d : response.missing_blob_digests()) missing.insert(reapi::from_proto(d));
    if (missing != absent) {
      fail_benchmark(state, "FindMissingBlobs listed " + std::to_string(missing.size()) +
                                " distinct digests as missing, expected exactly the " +
                                std::to_string(absent.size()) + " never uploaded");
      break;
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * request.blob_digests_size());
}

void SmallBlobBench::batch_update_blobs(benchmark::State& state) {
  rev2::BatchUpdateBlobsRequest request;
  request.set_instance_name(target_.instance_name());
  set_digest_function(request);
  for (std::size_t i = 0; i < batch_.size(); ++i) request.add_requests();

  rev2::BatchUpdateBlobsResponse response;
  for (auto _ : state) {
    state.PauseTiming();
    for (std::size_t i = 0; i < batch_.size(); ++i) {
      batch_[i].renew();
      auto* entry = request.mutable_requests(static_cast<int>(i));
      *entry->mutable_digest() = reapi::to_proto(batch_[i].digest());
      entry->mutable_data()->assign(batch_[i].data());
    }
    grpc::ClientContext context;
    target_.prepare(context);
    state.ResumeTiming();

    const grpc::Status status = cas_->BatchUpdateBlobs(&context, request, &response);

    state.PauseTiming();
    if (!status.ok()) {
      fail_benchmark(state, "BatchUpdateBlobs: " + grpc_text(status));
      break;
    }
    if (absl::Status checked = check_update_response(response, batch_); !checked.ok()) {
      fail_benchmark(state, "BatchUpdateBlobs: " + checked.ToString());
      break;
    }
    batch_stored_ = true;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch_.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(batch_.size()) *
                          config_.small_blob_size);
}

void SmallBlobBench::batch_read_blobs(benchmark::State& state) {
  if (absl::Status stored = ensure_batch_stored(); !stored.ok()) {
    fail_before_loop(state, "BatchUpdateBlobs (setup): " + stored.ToString());
    return;
  }
  rev2::BatchReadBlobsRequest request;
  request.set_instance_name(target_.instance_name());
  set_digest_function(request);
  for (const FreshBlob& blob : batch_) *request.add_digests() = reapi::to_proto(blob.digest());

  rev2::BatchReadBlobsResponse response;
  for (auto _ : state) {
    grpc::ClientContext context;
    target_.prepare(context);
    const grpc::Status status = cas_->BatchReadBlobs(&context, request, &response);

    state.PauseTiming();
    if (!status.ok()) {
      fail_benchmark(state, "BatchReadBlobs: " + grpc_text(status));
      break;
    }
    if (absl::Status checked = check_read_response(response, batch_, config_.digest_function);
        !checked.ok()) {
      fail_benchmark(state, "BatchReadBlobs: " + checked.ToString());
      break;
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch_.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(batch_.size()) *
                          config_.small_blob_size);
}

void SmallBlobBench::get_capabilities(benchmark::State& state) {
  rev2::GetCapabilitiesRequest request;
  request.set_instance_name(target_.instance_name());
  rev2::ServerCapabilities response;
  for (auto _ : state) {
    grpc::ClientContext context;
    target_.prepare(context);
    const grpc::Status status = capabilities_->GetCapabilities(&context, request, &response);
    if (!status.ok()) {
      fail_benchmark(state, "GetCapabilities: " + grpc_text(status));
      break;
    }
  }
}

void register_small_blob_benchmarks(SmallBlobBench& bench, const BenchConfig& config) {
  const std::string count = std::to_string(config.small_blob_count);
  const std::string batch = count + "x" + reapi::format_byte_size(config.small_blob_size);
  using Method = void (SmallBlobBench::*)(benchmark::State&);
  const std::pair<std::string, Method> benchmarks[] = {
      {"target/FindMissingBlobs/" + count, &SmallBlobBench::find_missing_blobs},
      {"target/BatchUpdateBlobs/" + batch, &SmallBlobBench::batch_update_blobs},
      {"target/BatchReadBlobs/" + batch, &SmallBlobBench::batch_read_blobs},
      {"target/GetCapabilities", &SmallBlobBench::get_capabilities},
  };
  for (const auto& [name, method] : benchmarks) {
    benchmark::RegisterBenchmark(
        name.c_str(),
        [&bench, method = method](benchmark::State& state) { (bench.*method)(state); })
        ->Iterations(config.latency_iterations)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace reapi_bench
