#pragma once
// What the server told GetCapabilities, in the form the checks adapt to (capability-aware
// skips). When the server does not implement Capabilities, the defaults below are assumed.

#include <grpcpp/support/status.h>

#include <cstdint>
#include <string>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "reapi/compression.h"
#include "reapi/digest_function.h"

namespace conformance {

namespace v2 = build::bazel::remote::execution::v2;

struct ServerFacts {
  grpc::Status status;         // of the GetCapabilities call
  v2::ServerCapabilities raw;  // as received (empty when the call failed)
  bool has_cache_capabilities = false;
  std::vector<v2::DigestFunction::Value> digest_functions;  // as advertised, any value
  std::int64_t max_batch_total_size_bytes = 0;              // 0: no limit advertised
  std::int64_t max_cas_blob_size_bytes = 0;                 // 0: no limit advertised
  std::vector<v2::Compressor::Value> compressors;           // ByteStream
  std::vector<v2::Compressor::Value> batch_update_compressors;
  bool update_enabled = true;  // ActionCache updates (assumed when Capabilities failed)
  bool split_blob = false;
  bool splice_blob = false;

  bool advertises_compressor(v2::Compressor::Value c) const;
  bool advertises_batch_compressor(v2::Compressor::Value c) const;
  bool advertises_function(v2::DigestFunction::Value f) const;
  // The batch limit the suite works within: the advertised one, or 4 MiB minus framing
  // room when none is advertised (the default gRPC message limit).
  std::int64_t effective_batch_limit() const;
};

// Reads the facts out of a GetCapabilities response.
ServerFacts facts_from(const grpc::Status& status, const v2::ServerCapabilities& caps);

}  // namespace conformance
