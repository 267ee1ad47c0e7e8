// ByteStream Read: streams a stored blob from read_offset, at most read_limit bytes, in
// messages of at most kReadChunkBytes; or, for compressed-blobs names, the zstd encoding of
// the blob from read_offset (an uncompressed offset, BS-COMP-02), compressed piecewise.

#include <memory>

#include "reapi/compression.h"
#include "reapi/resource_name.h"
#include "server/bytestream_service.h"
#include "server/call_log.h"

namespace reference {
namespace {

class ReadReactor final : public grpc::ServerWriteReactor<google::bytestream::ReadResponse> {
 public:
  ReadReactor(ByteStreamContext& context, const google::bytestream::ReadRequest& request) {
    if (auto s = prepare(context, request); !s.ok()) {
      Finish(answer("Read", s));
      return;
    }
    next();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    next();
  }
  // The callback API's ownership contract: the reactor deletes itself when gRPC is done.
  void OnDone() override { delete this; }

 private:
  absl::Status prepare(ByteStreamContext& context, const google::bytestream::ReadRequest& request) {
    auto name = reapi::parse_read_resource_name(request.resource_name());
    if (!name.ok()) return name.status();
    auto fn = context.policy.check_blob_name(*name);
    if (!fn.ok()) return fn.status();
    if (request.read_offset() < 0) {
      return absl::OutOfRangeError("read_offset " + std::to_string(request.read_offset()) +
                                   " is negative");
    }
    if (request.read_limit() < 0) {
      return absl::InvalidArgumentError("read_limit " + std::to_string(request.read_limit()) +
                                        " is negative");
    }
    compressed_ = name->compressor != reapi::Compressor::identity;
    if (compressed_ && request.read_limit() != 0) {
      return absl::InvalidArgumentError("read_limit must be 0 for compressed-blobs reads");
    }
    auto reader = context.cas.open(*fn, name->digest);
    if (!reader.ok()) return reader.status();
    reader_ = *std::move(reader);
    if (request.read_offset() > reader_->size()) {
      return absl::OutOfRangeError("read_offset " + std::to_string(request.read_offset()) +
                                   " is past the end of the " + std::to_string(reader_->size()) +
                                   "-byte blob");
    }
    position_ = request.read_offset();
    end_ = reader_->size();
    if (request.read_limit() > 0 && request.read_limit() < end_ - position_) {
      end_ = position_ + request.read_limit();
    }
    if (compressed_) compressor_ = std::make_unique<reapi::ZstdCompressor>();
    return absl::OkStatus();
  }

  void next() {
    response_.mutable_data()->clear();
    absl::Status s = compressed_ ? fill_compressed() : fill_plain();
    if (!s.ok()) {
      Finish(answer("Read", s));
      return;
    }
    if (response_.data().empty()) {
      Finish(grpc::Status::OK);
      return;
    }
    StartWrite(&response_);
  }

  absl::Status fill_plain() {
    const auto n = static_cast<std::size_t>(
        std::min<std::int64_t>(end_ - position_, static_cast<std::int64_t>(kReadChunkBytes)));
    if (n == 0) return absl::OkStatus();
    if (auto s = reader_->read(position_, n, *response_.mutable_data()); !s.ok()) return s;
    position_ += static_cast<std::int64_t>(n);
    return absl::OkStatus();
  }

  // Compresses input until at least one chunk of output is ready or the frame is done.
  absl::Status fill_compressed() {
    std::string& out = *response_.mutable_data();
    out.swap(pending_);
    while (out.size() < kReadChunkBytes && !frame_done_) {
      const auto n = static_cast<std::size_t>(
          std::min<std::int64_t>(end_ - position_, static_cast<std::int64_t>(kReadChunkBytes)));
      if (n == 0) {
        if (auto s = compressor_->finish(out); !s.ok()) return s;
        frame_done_ = true;
        break;
      }
      input_.clear();
      if (auto s = reader_->read(position_, n, input_); !s.ok()) return s;
      position_ += static_cast<std::int64_t>(n);
      if (auto s = compressor_->compress(input_, out); !s.ok()) return s;
    }
    if (out.size() > kReadChunkBytes) {
      pending_.assign(out, kReadChunkBytes);
      out.resize(kReadChunkBytes);
    }
    return absl::OkStatus();
  }

  std::unique_ptr<BlobReader> reader_;
  std::int64_t position_ = 0;
  std::int64_t end_ = 0;
  bool compressed_ = false;
  std::unique_ptr<reapi::ZstdCompressor> compressor_;
  bool frame_done_ = false;
  std::string input_;
  std::string pending_;
  google::bytestream::ReadResponse response_;
};

}  // namespace

grpc::ServerWriteReactor<google::bytestream::ReadResponse>* start_read(
    ByteStreamContext& context, const google::bytestream::ReadRequest& request) {
  return std::make_unique<ReadReactor>(context, request).release();
}

}  // namespace reference
