#include "framework/server_facts.h"

#include <algorithm>

namespace conformance {

namespace {
template <typename T>
bool contains(const std::vector<T>& values, T v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}
}  // namespace

bool ServerFacts::advertises_compressor(v2::Compressor::Value c) const {
  return contains(compressors, c);
}

bool ServerFacts::advertises_batch_compressor(v2::Compressor::Value c) const {
  return contains(batch_update_compressors, c);
}

bool ServerFacts::advertises_function(v2::DigestFunction::Value f) const {
  return contains(digest_functions, f);
}

std::int64_t ServerFacts::effective_batch_limit() const {
  constexpr std::int64_t kDefault = (4 << 20) - (64 << 10);
  return max_batch_total_size_bytes > 0 ? max_batch_total_size_bytes : kDefault;
}

ServerFacts facts_from(const grpc::Status& status, const v2::ServerCapabilities& caps) {
  ServerFacts facts;
  facts.status = status;
  if (!status.ok()) return facts;
  facts.raw = caps;
  facts.has_cache_capabilities = caps.has_cache_capabilities();
  const v2::CacheCapabilities& cache = caps.cache_capabilities();
  for (int f : cache.digest_functions()) {
    facts.digest_functions.push_back(static_cast<v2::DigestFunction::Value>(f));
  }
  facts.max_batch_total_size_bytes = cache.max_batch_total_size_bytes();
  facts.max_cas_blob_size_bytes = cache.max_cas_blob_size_bytes();
  for (int c : cache.supported_compressors()) {
    facts.compressors.push_back(static_cast<v2::Compressor::Value>(c));
  }
  for (int c : cache.supported_batch_update_compressors()) {
    facts.batch_update_compressors.push_back(static_cast<v2::Compressor::Value>(c));
  }
  // Absent means false on the wire; only a server without Capabilities is given the benefit.
  facts.update_enabled = cache.action_cache_update_capabilities().update_enabled();
  facts.split_blob = cache.split_blob_support();
  facts.splice_blob = cache.splice_blob_support();
  return facts;
}

}  // namespace conformance
