#pragma once
// FastCDC 2020 content-defined chunking (Xia et al., "The Design of Fast Content-Defined
// Chunking for Data Deduplication Based Storage Systems", 2020), the FAST_CDC_2020 chunking
// function of REAPI v2.12: a Gear rolling hash fed two bytes per step, normalized chunking
// at level 2 (a harder mask before the average size, an easier one after it), and for REAPI
// min = avg / 4, max = avg * 4. Pure computation: no I/O, no state between calls, so a
// chunk's end depends only on the bytes from its start (which is what makes the boundaries
// come back after an edit).

#include <absl/status/statusor.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace reference {

class FastCdc2020 {
 public:
  // The chunker of the FastCdc2020Params REAPI advertises: `avg` a power of two from 1 KiB
  // to 1 MiB (CAP-20), min = avg / 4, max = avg * 4. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<FastCdc2020> for_reapi(std::uint64_t avg, std::uint32_t seed);
  // Any sizes: `avg` a power of two from 256 B to 4 MiB, 2 <= min <= avg <= max. For tests
  // and the published test vectors (which use min 4096, avg 16384, max 65535).
  static absl::StatusOr<FastCdc2020> create(std::size_t min, std::size_t avg, std::size_t max,
                                            std::uint64_t seed);

  std::size_t min_size() const { return min_; }
  std::size_t avg_size() const { return avg_; }
  std::size_t max_size() const { return max_; }

  // The length of the chunk that starts at data[0]. All of `data` when it has at most
  // min_size() bytes; otherwise a cut found by the hash, or min(max_size(), data.size())
  // when none is. Only the first max_size() bytes are looked at, so a caller streaming a
  // large blob passes windows of max_size() bytes (or the rest, at the end).
  std::size_t cut(std::string_view data) const;
  // The lengths of the chunks of `data`, in order; empty for empty data.
  std::vector<std::size_t> chunk_lengths(std::string_view data) const;

 private:
  FastCdc2020(std::size_t min, std::size_t avg, std::size_t max, std::uint64_t seed);

  std::array<std::uint64_t, 256> gear_{};
  std::array<std::uint64_t, 256> gear_shifted_{};  // gear_ shifted left once (2 bytes a step)
  std::uint64_t mask_small_ = 0;                   // before the average size: harder to hit
  std::uint64_t mask_large_ = 0;                   // after it: easier
  std::size_t min_ = 0;
  std::size_t avg_ = 0;
  std::size_t max_ = 0;
};

}  // namespace reference
