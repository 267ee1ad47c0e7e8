#pragma once
// Compressors as REAPI numbers them (Compressor.Value) and streaming zstd in both
// directions, so blobs are compressed or decompressed piecewise, never whole in memory.

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace reapi {

enum class Compressor : int { identity = 0, zstd = 1, deflate = 2, brotli = 3 };

// Lowercase enum name, as used in compressed-blobs resource names.
std::string_view name(Compressor c);
std::optional<Compressor> compressor_from_name(std::string_view name);
std::optional<Compressor> compressor_from_number(int number);

// Streaming zstd compression: feed input with compress(), end with finish().
class ZstdCompressor {
 public:
  explicit ZstdCompressor(int level = 1);
  ZstdCompressor(ZstdCompressor&&) noexcept;
  ZstdCompressor& operator=(ZstdCompressor&&) noexcept;
  ~ZstdCompressor();

  // Appends compressed bytes for `input` to `out` (possibly none yet).
  absl::Status compress(std::string_view input, std::string& out);
  // Appends the end of the frame to `out`.
  absl::Status finish(std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Streaming zstd decompression of one or more concatenated frames (BS-COMP-08).
class ZstdDecompressor {
 public:
  ZstdDecompressor();
  ZstdDecompressor(ZstdDecompressor&&) noexcept;
  ZstdDecompressor& operator=(ZstdDecompressor&&) noexcept;
  ~ZstdDecompressor();

  // Appends the bytes `input` decodes to, to `out`. Stops with INVALID_ARGUMENT on corrupt
  // input or once more than `max_output` bytes in total would be produced (the caller knows
  // the blob's size, which bounds a decompression bomb).
  absl::Status decompress(std::string_view input, std::string& out, std::int64_t max_output);
  // OK when the input so far ends exactly at the end of a frame (and held at least one).
  absl::Status finish() const;
  std::int64_t total_output() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One-shot helpers.
std::string zstd_compress(std::string_view data, int level = 1);
absl::StatusOr<std::string> zstd_decompress(std::string_view data, std::int64_t max_output);

}  // namespace reapi
