// ByteStream compressed-blobs faults: a read offset applied to the compressed stream, a read
// limit applied instead of refused, a missing blob reported as an internal error, the empty
// blob forgotten, write offsets counted in uncompressed bytes, a decoder that stops after
// one zstd frame, and refused uploads whose decoded bytes stay stored. Each rewrites the
// compressed-blobs calls of Read or Write only.

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "bytestream_rewrite.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "reapi/compression.h"
#include "reapi/resource_name.h"

namespace faulty {
namespace {
using bytestream::ReadRequest;
using bytestream::ReadResponse;
using bytestream::WriteRequest;

// The parsed name of a compressed read, or nullopt (plain or malformed names).
std::optional<reapi::BlobResourceName> compressed_read(const ReadRequest& request) {
  auto name = reapi::parse_read_resource_name(request.resource_name());
  if (!name.ok() || name->compressor == reapi::Compressor::identity) return std::nullopt;
  return *std::move(name);
}

// The parsed name of a compressed upload, or nullopt.
std::optional<reapi::BlobResourceName> compressed_write(const WriteRequest& request) {
  auto name = reapi::parse_write_resource_name(request.resource_name());
  if (!name.ok() || name->compressor == reapi::Compressor::identity) return std::nullopt;
  return *std::move(name);
}

// Drops the first `count` bytes of a stream of messages, the rest passing unchanged.
class Skipper {
 public:
  explicit Skipper(std::int64_t count) : left_(count) {}
  // True when the message changed.
  bool apply(std::string& data) {
    if (left_ <= 0 || data.empty()) return false;
    const auto n = static_cast<std::size_t>(std::min<std::int64_t>(left_, std::ssize(data)));
    data.erase(0, n);
    left_ -= static_cast<std::int64_t>(n);
    return true;
  }

 private:
  std::int64_t left_;
};

// Serves the compressed stream of the whole blob and skips read_offset bytes of it, as a
// generic ByteStream layer over a compressing reader would: the offset counts compressed
// bytes instead of uncompressed ones.
class OffsetInCompressedBytes final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    auto name = compressed_read(request);
    const std::int64_t offset = request.read_offset();
    if (!name || offset <= 0 || offset > name->digest.size_bytes) return;
    skip_.emplace(offset);
    request.set_read_offset(0);
  }
  bool on_response(ReadResponse& response) override {
    return skip_ && skip_->apply(*response.mutable_data());
  }

  std::optional<Skipper> skip_;
};

// Applies read_limit to the compressed bytes sent, where a compressed read with a limit
// must be refused: the client gets a cut-off stream and OK.
class LimitOnCompressedBytes final : public CallRewriter<ReadRequest, ReadResponse> {
  void on_request(ReadRequest& request) override {
    if (!compressed_read(request) || request.read_limit() <= 0) return;
    left_ = request.read_limit();
    request.set_read_limit(0);
  }
  bool on_response(ReadResponse& response) override {
    if (!left_) return false;
    std::string& data = *response.mutable_data();
    const auto keep = static_cast<std::size_t>(std::min<std::int64_t>(*left_, std::ssize(data)));
    if (keep == data.size()) {
      *left_ -= static_cast<std::int64_t>(keep);
      return false;
    }
    data.resize(keep);
    *left_ -= static_cast<std::int64_t>(keep);
    return true;
  }

  std::optional<std::int64_t> left_;  // compressed bytes the limit still lets through
};

// Decodes a compressed upload alongside the reference, to know how many uncompressed bytes
// the compressed ones received so far stand for.
class Decoder {
 public:
  explicit Decoder(std::int64_t size) : size_(size) {}
  // Decodes `data`; once the data fails to decode, later calls add nothing.
  void feed(std::string_view data) {
    if (failed_) return;
    std::string out;
    // A little over the size, so that too long a stream still decodes past it.
    failed_ = !decoder_.decompress(data, out, size_ + (64 << 10)).ok();
    decoded_ += out;
  }
  const std::string& decoded() const { return decoded_; }

 private:
  std::int64_t size_;
  reapi::ZstdDecompressor decoder_;
  std::string decoded_;
  bool failed_ = false;
};

// Expects a compressed upload's later write_offsets to count uncompressed bytes (what was
// stored so far), where they count compressed ones: a correct stream is refused.
class WriteOffsetsUncompressed final : public bytestream::WriteRewriter {
  void on_first(WriteRequest& request) override {
    auto name = compressed_write(request);
    if (!name) return;
    decoder_.emplace(name->digest.size_bytes);
    first_ = request.write_offset();
    take(request);
  }
  void on_next(WriteRequest& request) override {
    if (!decoder_) return;
    const std::int64_t wanted = first_ + std::ssize(decoder_->decoded());
    if (request.write_offset() != wanted) {
      refuse(request, grpc::StatusCode::INVALID_ARGUMENT,
             "write_offset " + std::to_string(request.write_offset()) + " where " +
                 std::to_string(wanted) + " was expected");
      return;
    }
    request.set_write_offset(first_ + received_);  // what the reference counts
    take(request);
  }
  void take(const WriteRequest& request) {
    received_ += std::ssize(request.data());
    decoder_->feed(request.data());
  }

  std::optional<Decoder> decoder_;
  std::int64_t first_ = 0;
  std::int64_t received_ = 0;  // compressed bytes
};

// Decodes only the first zstd frame of an upload (ZSTD_decompress-style, one frame) and
// refuses anything after it, where a stream may hold several frames.
class SingleFrameOnly final : public bytestream::WriteRewriter {
  void on_first(WriteRequest& request) override {
    compressed_ = compressed_write(request).has_value();
    check(request);
  }
  void on_next(WriteRequest& request) override { check(request); }
  void check(WriteRequest& request) {
    if (!compressed_ || request.data().empty()) return;
    if (frame_end_ && received_.size() >= *frame_end_) {
      refuse(
          request, grpc::StatusCode::INVALID_ARGUMENT,
          "unexpected data after the end of the zstd frame at byte " + std::to_string(*frame_end_));
      return;
    }
    received_ += request.data();
    const std::size_t end = ZSTD_findFrameCompressedSize(received_.data(), received_.size());
    if (ZSTD_isError(end)) return;  // the first frame is not complete yet
    frame_end_ = end;
    if (received_.size() > end) {
      refuse(request, grpc::StatusCode::INVALID_ARGUMENT,
             "unexpected data after the end of the zstd frame at byte " + std::to_string(end));
    }
  }

  bool compressed_ = false;
  std::string received_;  // compressed bytes, up to the end of the first frame
  std::optional<std::size_t> frame_end_;
};

// Decompresses an upload straight into the blob's place in the CAS and verifies it last:
// when the upload is refused (digest mismatch, bad data), the decoded bytes are left
// behind under the claimed digest. The reference refuses as usual; this fault stores what
// the data decoded to, before the refusal goes out.
class RefusedUploadKept final : public bytestream::WriteRewriter {
 public:
  explicit RefusedUploadKept(std::shared_ptr<StorageTap> tap) : tap_(std::move(tap)) {}

 private:
  void on_first(WriteRequest& request) override {
    auto name = compressed_write(request);
    if (!name) return;
    auto fn = bytestream::function_of(*name);
    if (!fn) return;
    key_ = reference::BlobKey::cas(*fn, name->digest);
    decoder_.emplace(name->digest.size_bytes);
    decoder_->feed(request.data());
  }
  void on_next(WriteRequest& request) override {
    if (decoder_) decoder_->feed(request.data());
  }
  bool on_served_status(grpc::Status& status) override {
    if (status.ok() || !key_ || tap_->storage->contains(*key_)) return false;
    // The bytes as far as they decoded, cut at the size (the place holds no more).
    const std::string& decoded = decoder_->decoded();
    const auto n = std::min<std::int64_t>(std::ssize(decoded), key_->digest.size_bytes);
    (void)reference::write_blob(*tap_->storage, *key_,
                                std::string_view(decoded).substr(0, static_cast<std::size_t>(n)));
    return false;
  }

  std::shared_ptr<StorageTap> tap_;
  std::optional<reference::BlobKey> key_;
  std::optional<Decoder> decoder_;
};

}  // namespace

std::vector<FaultEntry> compressed_faults() {
  return {
      {.name = "compressed-offset-in-compressed-bytes",
       .description = "compressed ByteStream Read skips read_offset bytes of the compressed "
                      "stream, not of the blob",
       .make = [] { return intercept<OffsetInCompressedBytes>(method::kRead); },
       .expect = {.filter = "bytestream.compressed.*",
                  .fails = {"bytestream.compressed.read_offset_uncompressed"}}},
      {.name = "compressed-read-limit-applied",
       .description =
           "compressed ByteStream Read cuts the stream after read_limit bytes instead of "
           "refusing a read_limit",
       .make = [] { return intercept<LimitOnCompressedBytes>(method::kRead); },
       .expect = {.filter = "bytestream.compressed.*",
                  .fails = {"bytestream.compressed.rejects_read_limit"}}},
      {.name = "compressed-write-offsets-uncompressed",
       .description = "compressed ByteStream Write wants later write_offsets in uncompressed "
                      "bytes",
       .make = [] { return intercept<WriteOffsetsUncompressed>(method::kWrite); },
       .expect = {.filter = "bytestream.compressed.*",
                  .fails = {"bytestream.compressed.write_offsets_count_compressed_bytes"}}},
      // BS-COMP-08 is a SHOULD rule: a warning, which --strict makes a failed run.
      {.name = "zstd-single-frame-only",
       .description = "compressed ByteStream Write refuses data after the first zstd frame",
       .make = [] { return intercept<SingleFrameOnly>(method::kWrite); },
       .expect = {.filter = "bytestream.compressed.*",
                  .warns = {"bytestream.compressed.accepts_any_valid_stream"},
                  .extra_args = {"--strict"}}},
      {.name = "refused-compressed-upload-kept",
       .description = "a refused compressed upload leaves its decoded bytes stored under the "
                      "claimed digest",
       .make = [] { return tapped<RefusedUploadKept>(method::kWrite); },
       .expect = {.filter = "bytestream.compressed.*",
                  .fails = {"bytestream.compressed.upload_verified_after_decompression"}}},
  };
}

}  // namespace faulty
