#include "reapi/compression.h"

#include <zstd.h>

#include <array>

namespace reapi {
namespace {

constexpr std::array<std::string_view, 4> kNames{"identity", "zstd", "deflate", "brotli"};

absl::Status zstd_error(std::string_view what, std::size_t code) {
  return absl::InvalidArgumentError(std::string(what) + ": " + ZSTD_getErrorName(code));
}

}  // namespace

std::string_view name(Compressor c) {
  const auto i = static_cast<std::size_t>(c);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::optional<Compressor> compressor_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Compressor>(i);
  }
  return std::nullopt;
}

std::optional<Compressor> compressor_from_number(int number) {
  if (number < 0 || number >= static_cast<int>(kNames.size())) return std::nullopt;
  return static_cast<Compressor>(number);
}

struct ZstdCompressor::State {
  struct Free {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  std::unique_ptr<ZSTD_CCtx, Free> ctx{ZSTD_createCCtx()};
  // zstd writes here and only what it produced is appended to the caller's string: growing
  // that string by a whole step per call would zero-fill ~128 KiB on every call, however
  // small the input.
  std::string scratch = std::string(ZSTD_CStreamOutSize(), '\0');
};

ZstdCompressor::ZstdCompressor(int level) : state_(std::make_unique<State>()) {
  ZSTD_CCtx_setParameter(state_->ctx.get(), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(state_->ctx.get(), ZSTD_c_checksumFlag, 1);
}
ZstdCompressor::ZstdCompressor(ZstdCompressor&&) noexcept = default;
ZstdCompressor& ZstdCompressor::operator=(ZstdCompressor&&) noexcept = default;
ZstdCompressor::~ZstdCompressor() = default;

namespace {

absl::Status run_compress(ZSTD_CCtx* ctx, std::string& scratch, std::string_view input,
                          std::string& out, ZSTD_EndDirective mode) {
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    ZSTD_outBuffer o{scratch.data(), scratch.size(), 0};
    const std::size_t remaining = ZSTD_compressStream2(ctx, &o, &in, mode);
    if (ZSTD_isError(remaining)) return zstd_error("zstd compression failed", remaining);
    out.append(scratch.data(), o.pos);
    const bool input_done = in.pos == in.size;
    if (mode == ZSTD_e_end ? remaining == 0 : input_done) return absl::OkStatus();
  }
}

}  // namespace

absl::Status ZstdCompressor::compress(std::string_view input, std::string& out) {
  return run_compress(state_->ctx.get(), state_->scratch, input, out, ZSTD_e_continue);
}

absl::Status ZstdCompressor::finish(std::string& out) {
  return run_compress(state_->ctx.get(), state_->scratch, {}, out, ZSTD_e_end);
}

struct ZstdDecompressor::State {
  struct Free {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
  };
  std::unique_ptr<ZSTD_DCtx, Free> ctx{ZSTD_createDCtx()};
  // As in the compressor: decode into scratch, append only what was produced.
  std::string scratch = std::string(ZSTD_DStreamOutSize(), '\0');
  std::int64_t output = 0;
  bool saw_input = false;
  // zstd's "hint" is 0 exactly when the last frame is complete.
  std::size_t hint = 1;
};

ZstdDecompressor::ZstdDecompressor() : state_(std::make_unique<State>()) {}
ZstdDecompressor::ZstdDecompressor(ZstdDecompressor&&) noexcept = default;
ZstdDecompressor& ZstdDecompressor::operator=(ZstdDecompressor&&) noexcept = default;
ZstdDecompressor::~ZstdDecompressor() = default;

absl::Status ZstdDecompressor::decompress(std::string_view input, std::string& out,
                                          std::int64_t max_output) {
  if (input.empty()) return absl::OkStatus();
  state_->saw_input = true;
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  std::string& scratch = state_->scratch;
  for (;;) {
    ZSTD_outBuffer o{scratch.data(), scratch.size(), 0};
    const std::size_t hint = ZSTD_decompressStream(state_->ctx.get(), &o, &in);
    if (ZSTD_isError(hint)) return zstd_error("data is not valid zstd", hint);
    // Checked before appending, so `out` never grows past the bound (and written so the
    // subtraction cannot overflow, whatever bound a caller passes).
    if (state_->output > max_output ||
        static_cast<std::int64_t>(o.pos) > max_output - state_->output) {
      return absl::InvalidArgumentError("zstd data decodes to more than the " +
                                        std::to_string(max_output) + " bytes expected");
    }
    out.append(scratch.data(), o.pos);
    state_->hint = hint;
    state_->output += static_cast<std::int64_t>(o.pos);
    // Input consumed and nothing left to flush: the output buffer was not filled, or the
    // frame is complete (hint 0). Calling again after a complete frame would make zstd wait
    // for the next frame's header and report a non-zero hint for data that is whole.
    if (in.pos == in.size && (o.pos < scratch.size() || hint == 0)) break;
  }
  return absl::OkStatus();
}

absl::Status ZstdDecompressor::finish() const {
  if (!state_->saw_input) return absl::InvalidArgumentError("zstd data is empty (no frame)");
  if (state_->hint != 0) return absl::InvalidArgumentError("zstd data ends inside a frame");
  return absl::OkStatus();
}

std::int64_t ZstdDecompressor::total_output() const { return state_->output; }

std::string zstd_compress(std::string_view data, int level) {
  ZstdCompressor c(level);
  std::string out;
  (void)c.compress(data, out);
  (void)c.finish(out);
  return out;
}

absl::StatusOr<std::string> zstd_decompress(std::string_view data, std::int64_t max_output) {
  ZstdDecompressor d;
  std::string out;
  if (auto s = d.decompress(data, out, max_output); !s.ok()) return s;
  if (auto s = d.finish(); !s.ok()) return s;
  return out;
}

}  // namespace reapi
