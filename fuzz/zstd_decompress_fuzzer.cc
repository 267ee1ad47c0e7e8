// Fuzzes streaming zstd decompression with an output bound, as the server runs it on
// compressed uploads (BS-COMP-*). Input: one byte choosing the chunk size, one byte choosing
// the bound, then the bytes to decompress. Checks that the bound holds, that chunking does
// not change the decoded data, and that compressing the same bytes round-trips.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "reapi/compression.h"

namespace {

struct Result {
  bool ok = false;
  std::string out;
};

Result decompress_in_chunks(std::string_view input, std::size_t chunk, std::int64_t bound) {
  reapi::ZstdDecompressor decompressor;
  Result r;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    const auto status = decompressor.decompress(input.substr(at, chunk), r.out, bound);
    FUZZ_CHECK(decompressor.total_output() == static_cast<std::int64_t>(r.out.size()));
    if (!status.ok()) {
      FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      return r;
    }
    FUZZ_CHECK(decompressor.total_output() <= bound);
  }
  r.ok = decompressor.finish().ok();
  return r;
}

void check_round_trip(std::string_view data, std::size_t chunk) {
  reapi::ZstdCompressor compressor;
  std::string compressed;
  for (std::size_t at = 0; at < data.size(); at += chunk) {
    FUZZ_CHECK(compressor.compress(data.substr(at, chunk), compressed).ok());
  }
  FUZZ_CHECK(compressor.finish(compressed).ok());
  const Result back =
      decompress_in_chunks(compressed, chunk, static_cast<std::int64_t>(data.size()));
  FUZZ_CHECK(back.ok);
  FUZZ_CHECK(back.out == data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t chunk = 1 + static_cast<std::size_t>(data[0]) * data[0];
  const std::int64_t bound = static_cast<std::int64_t>(data[1]) * 4096;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  const Result streamed = decompress_in_chunks(input, chunk, bound);
  const auto whole = reapi::zstd_decompress(input, bound);
  if (whole.ok()) FUZZ_CHECK(static_cast<std::int64_t>(whole->size()) <= bound);
  // When both succeed, chunking must not change the data. Whether both succeed may differ:
  // libzstd checks some header fields (the declared content size, the window size) only on
  // one of its paths, and it takes the single-pass path only when a whole frame arrives in
  // one piece (see corpus/zstd_decompress/content_size_lie). The blob digest check that
  // follows every decompression catches what either path lets through.
  if (whole.ok() && streamed.ok) FUZZ_CHECK(streamed.out == *whole);
  check_round_trip(input, chunk);
  return 0;
}
