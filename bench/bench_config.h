#pragma once
// The knobs every benchmark of reapi-bench reads, fixed once the command line is parsed.

#include <chrono>
#include <cstdint>

#include "reapi/digest_function.h"

namespace reapi_bench {

struct BenchConfig {
  // Size of each big ByteStream transfer.
  std::int64_t blob_size = std::int64_t{256} << 20;
  // Bytes of blob data per WriteRequest / ReadResponse (1 MiB unless the message limit is lower).
  std::int64_t chunk_size = std::int64_t{1} << 20;
  // Iterations of each big transfer and of each small-blob call.
  int transfer_iterations = 3;
  int latency_iterations = 200;
  // Shape of the small-blob batches.
  int small_blob_count = 100;
  std::int64_t small_blob_size = 4096;
  reapi::DigestFunction digest_function = reapi::DigestFunction::sha256;
  // Deadline of one big transfer; small calls use the target's own --deadline.
  std::chrono::milliseconds transfer_deadline{60000};
};

}  // namespace reapi_bench
