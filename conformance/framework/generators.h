#pragma once
// rapidcheck generators for the inputs checks vary: blob sizes that hit the edges (0, 1,
// the 1 MiB ByteStream chunk and its neighbours, multi-MiB), splits of an upload into
// messages, offsets and limits. Sizes shrink toward small values, so a failure is
// reported at the smallest size that still fails.

#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "framework/context.h"

namespace conformance {

constexpr std::int64_t kMiB = 1 << 20;

// Any blob size up to `max` (the run's --max-blob-size when 0) and the advertised
// max_cas_blob_size_bytes, weighted toward the edges.
rc::Gen<std::int64_t> gen_blob_size(const Context& ctx, std::int64_t max = 0);
// Sizes for blobs that go through BatchUpdateBlobs: up to `max` (> 0).
rc::Gen<std::int64_t> gen_small_size(std::int64_t max);
// Sizes of the messages that carry `total` bytes, each at most `max_piece` (> 0), in
// order; sums to `total`. One message of 0 bytes for total 0.
rc::Gen<std::vector<std::int64_t>> gen_pieces(std::int64_t total, std::int64_t max_piece);
// A point in [0, total], weighted toward 0, 1, total-1, total and the 1 MiB boundaries.
rc::Gen<std::int64_t> gen_offset(std::int64_t total);

}  // namespace conformance
