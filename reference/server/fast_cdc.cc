#include "server/fast_cdc.h"

#include <algorithm>
#include <bit>
#include <string>

#include "reapi/digest.h"

namespace reference {
namespace {

// The paper's boundary masks by log2 of the chunk size they aim at (64 B at 6 to 16 MiB at
// 24), as its reference implementation spreads the bits; REAPI asks for exactly these so
// that every FastCDC 2020 implementation cuts at the same places.
constexpr std::size_t kFirstMask = 6;
constexpr std::array<std::uint64_t, 19> kMasks = {
    0x0000000001803110, 0x0000000018035100, 0x0000001800035300, 0x0000019000353000,
    0x0000590003530000, 0x0000d90003530000, 0x0000d90103530000, 0x0000d90303530000,
    0x0000d90313530000, 0x0000d90f03530000, 0x0000d90303537000, 0x0000d90703537000,
    0x0000d90707537000, 0x0000d91707537000, 0x0000d91747537000, 0x0000d91767537000,
    0x0000d93767537000, 0x0000d93777537000, 0x0000d93777577000,
};
// Normalization level 2: the masks two sizes above and below the average's.
constexpr std::size_t kNormalization = 2;

// The Gear table as REAPI defines it: entry i is the first 8 bytes, big-endian, of the MD5
// of 64 bytes that all equal i.
const std::array<std::uint64_t, 256>& gear_table() {
  static const std::array<std::uint64_t, 256> table = [] {
    std::array<std::uint64_t, 256> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::string hex =
          reapi::hash_hex(reapi::DigestFunction::md5, std::string(64, static_cast<char>(i)));
      out[i] = std::stoull(hex.substr(0, 16), nullptr, 16);
    }
    return out;
  }();
  return table;
}

}  // namespace

absl::StatusOr<FastCdc2020> FastCdc2020::for_reapi(std::uint64_t avg, std::uint32_t seed) {
  if (avg < 1024 || avg > (1 << 20) || !std::has_single_bit(avg)) {
    return absl::InvalidArgumentError(
        "the FastCDC average chunk size must be a power of two from "
        "1KiB to 1MiB, not " +
        std::to_string(avg));
  }
  return create(avg / 4, avg, avg * 4, seed);
}

absl::StatusOr<FastCdc2020> FastCdc2020::create(std::size_t min, std::size_t avg, std::size_t max,
                                                std::uint64_t seed) {
  if (avg < 256 || avg > (4 << 20) || !std::has_single_bit(avg)) {
    return absl::InvalidArgumentError("FastCDC average chunk size " + std::to_string(avg) +
                                      " is not a power of two from 256B to 4MiB");
  }
  if (min < 2 || min > avg || avg > max) {
    return absl::InvalidArgumentError("FastCDC sizes must satisfy 2 <= min <= avg <= max");
  }
  return FastCdc2020(min, avg, max, seed);
}

FastCdc2020::FastCdc2020(std::size_t min, std::size_t avg, std::size_t max, std::uint64_t seed)
    : min_(min), avg_(avg), max_(max) {
  // A non-zero seed is mixed into every entry, in the shifted table shifted likewise.
  const auto& gear = gear_table();
  for (std::size_t i = 0; i < gear.size(); ++i) {
    gear_[i] = gear[i] ^ seed;
    gear_shifted_[i] = (gear[i] << 1) ^ (seed << 1);
  }
  const auto bits = static_cast<std::size_t>(std::countr_zero(avg));
  mask_small_ = kMasks[bits + kNormalization - kFirstMask];
  mask_large_ = kMasks[bits - kNormalization - kFirstMask];
}

std::size_t FastCdc2020::cut(std::string_view data) const {
  if (data.size() <= min_) return data.size();
  const std::size_t end = std::min(data.size(), max_);
  const std::size_t normal = std::min(end, avg_);
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  constexpr std::size_t even = ~std::size_t{1};

  // Two bytes a step: the hash moves by two bits, the first byte entering through the
  // shifted table, and each byte is a candidate cut (a cut at i ends the chunk before i).
  std::uint64_t hash = 0;
  std::size_t cut_at = 0;
  const auto scan = [&](std::size_t from, std::size_t to, std::uint64_t mask) {
    const std::uint64_t mask_shifted = mask << 1;
    for (std::size_t i = from; i < to; i += 2) {
      hash = (hash << 2) + gear_shifted_[bytes[i]];
      if ((hash & mask_shifted) == 0) {
        cut_at = i;
        return true;
      }
      hash += gear_[bytes[i + 1]];
      if ((hash & mask) == 0) {
        cut_at = i + 1;
        return true;
      }
    }
    return false;
  };
  const std::size_t start = min_ & even;
  const std::size_t middle = std::max(start, normal & even);
  if (scan(start, middle, mask_small_) || scan(middle, end & even, mask_large_)) return cut_at;
  return end;
}

std::vector<std::size_t> FastCdc2020::chunk_lengths(std::string_view data) const {
  std::vector<std::size_t> out;
  while (!data.empty()) {
    out.push_back(cut(data));
    data.remove_prefix(out.back());
  }
  return out;
}

}  // namespace reference
