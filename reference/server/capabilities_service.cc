#include "server/capabilities_service.h"

#include "server/call_log.h"

namespace reference {
namespace v2 = build::bazel::remote::execution::v2;

CapabilitiesService::CapabilitiesService(const Policy& policy)
    : policy_(policy), capabilities_(describe(policy)) {}

v2::ServerCapabilities CapabilitiesService::describe(const Policy& policy) {
  v2::ServerCapabilities out;
  auto* cache = out.mutable_cache_capabilities();
  for (auto fn : policy.digest_functions()) {
    cache->add_digest_functions(static_cast<v2::DigestFunction::Value>(fn));
  }
  cache->mutable_action_cache_update_capabilities()->set_update_enabled(!policy.config().read_only);
  cache->set_max_batch_total_size_bytes(policy.config().max_batch_total_size_bytes);
  // Stored Directories and ActionResults are kept as given, absolute symlinks included.
  cache->set_symlink_absolute_path_strategy(v2::SymlinkAbsolutePathStrategy::ALLOWED);
  for (auto c : policy.compressors()) {
    cache->add_supported_compressors(static_cast<v2::Compressor::Value>(c));
    cache->add_supported_batch_update_compressors(static_cast<v2::Compressor::Value>(c));
  }
  // 0: no per-blob limit beyond what the storage can hold (CAP-18).
  cache->set_max_cas_blob_size_bytes(policy.config().max_cas_blob_size_bytes);
  // SplitBlob/SpliceBlob exactly when served (CAP-19), with the FastCDC parameters SplitBlob
  // chunks with (CAP-20).
  if (policy.split_splice_enabled()) {
    cache->set_split_blob_support(true);
    cache->set_splice_blob_support(true);
    auto* cdc = cache->mutable_fast_cdc_2020_params();
    cdc->set_avg_chunk_size_bytes(
        static_cast<std::uint64_t>(policy.config().fast_cdc_avg_chunk_size));
    cdc->set_seed(policy.config().fast_cdc_seed);
  }
  // A cache-only endpoint leaves execution_capabilities unset (CAP-03).
  // 2.0 up to 2.12: the server keeps the rules of every release in between (empty blob,
  // compressed-blobs, digest_function in requests and names, split/splice).
  out.mutable_low_api_version()->set_major(2);
  out.mutable_high_api_version()->set_major(2);
  out.mutable_high_api_version()->set_minor(12);
  return out;
}

grpc::ServerUnaryReactor* CapabilitiesService::GetCapabilities(
    grpc::CallbackServerContext* context, const v2::GetCapabilitiesRequest* request,
    v2::ServerCapabilities* response) {
  absl::Status status = policy_.check_instance(request->instance_name());
  if (status.ok()) *response = capabilities_;
  return finish_unary(context, "GetCapabilities", status);
}

}  // namespace reference
