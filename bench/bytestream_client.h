#pragma once
// The client side of a big ByteStream transfer, the same code for the null server and for
// the target so their figures compare like for like.

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "reapi/target.h"

namespace reapi_bench {

struct TransferOptions {
  std::int64_t chunk_size = std::int64_t{1} << 20;
  std::chrono::milliseconds deadline{60000};
};

// Writes `data` under `resource_name` in chunk_size messages, the name on the first one only
// (BS-WRITE-01), finish_write on the last; returns the server's committed_size.
absl::StatusOr<std::int64_t> write_blob(const reapi::Target& target,
                                        const std::string& resource_name, std::string_view data,
                                        const TransferOptions& options);

// Reads the whole of `resource_name`, replacing the contents of `out` (whose capacity is kept,
// so a reused buffer costs no allocation).
absl::Status read_blob(const reapi::Target& target, const std::string& resource_name,
                       std::string& out, const TransferOptions& options);

}  // namespace reapi_bench
