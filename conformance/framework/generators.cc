#include "framework/generators.h"

#include <algorithm>

namespace conformance {

namespace {

rc::Gen<std::int64_t> in_range(std::int64_t low, std::int64_t high_inclusive) {
  if (high_inclusive <= low) return rc::gen::just(low);
  return rc::gen::inRange<std::int64_t>(low, high_inclusive + 1);
}

// The values of `candidates` within [low, high].
std::vector<std::int64_t> within(std::vector<std::int64_t> candidates, std::int64_t low,
                                 std::int64_t high) {
  std::vector<std::int64_t> out;
  for (std::int64_t v : candidates) {
    if (v >= low && v <= high && std::find(out.begin(), out.end(), v) == out.end()) {
      out.push_back(v);
    }
  }
  if (out.empty()) out.push_back(low);
  return out;
}

}  // namespace

rc::Gen<std::int64_t> gen_blob_size(const Context& ctx, std::int64_t max) {
  if (max <= 0) max = ctx.options().max_blob_size;
  // Never above what the server says it stores (a correct server refuses those).
  if (ctx.facts().max_cas_blob_size_bytes > 0) {
    max = std::min(max, ctx.facts().max_cas_blob_size_bytes);
  }
  const std::int64_t chunk = ctx.chunk_size();
  const std::vector<std::int64_t> edges =
      within({0, 1, 2, 15, 16, chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 1, max}, 0, max);
  return rc::gen::weightedOneOf<std::int64_t>({
      {3, rc::gen::elementOf(edges)},
      {3, in_range(0, std::min<std::int64_t>(max, 4096))},
      {2, in_range(0, std::min<std::int64_t>(max, 256 << 10))},
      {1, in_range(0, max)},
  });
}

rc::Gen<std::int64_t> gen_small_size(std::int64_t max) {
  const std::vector<std::int64_t> edges = within({0, 1, 2, 16, 1023, 1024, max}, 0, max);
  return rc::gen::weightedOneOf<std::int64_t>({
      {2, rc::gen::elementOf(edges)},
      {3, in_range(0, std::min<std::int64_t>(max, 4096))},
      {1, in_range(0, max)},
  });
}

rc::Gen<std::vector<std::int64_t>> gen_pieces(std::int64_t total, std::int64_t max_piece) {
  if (total <= 0) return rc::gen::just(std::vector<std::int64_t>{0});
  max_piece = std::max<std::int64_t>(max_piece, 1);
  // Up to 8 cut points drawn in [1, total]; each gap over max_piece is cut again.
  return rc::gen::map(
      rc::gen::resize(8, rc::gen::container<std::vector<std::int64_t>>(in_range(1, total))),
      [total, max_piece](std::vector<std::int64_t> cuts) {
        cuts.push_back(total);
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        std::vector<std::int64_t> pieces;
        std::int64_t at = 0;
        for (std::int64_t cut : cuts) {
          std::int64_t gap = cut - at;
          while (gap > max_piece) {
            pieces.push_back(max_piece);
            gap -= max_piece;
          }
          if (gap > 0) pieces.push_back(gap);
          at = cut;
        }
        return pieces;
      });
}

rc::Gen<std::int64_t> gen_offset(std::int64_t total) {
  const std::vector<std::int64_t> edges =
      within({0, 1, total - 1, total, kMiB - 1, kMiB, kMiB + 1}, 0, total);
  return rc::gen::weightedOneOf<std::int64_t>({
      {1, rc::gen::elementOf(edges)},
      {2, in_range(0, total)},
  });
}

}  // namespace conformance
