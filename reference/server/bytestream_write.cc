// ByteStream Write: receives a blob under an uploads/ name, hashing as it arrives, and
// commits it only when finish_write comes and the bytes match the digest (BS-WRITE-*).
// compressed-blobs uploads are decompressed piecewise and verified the same way
// (BS-COMP-04); their write_offsets count compressed bytes (BS-COMP-05). A stream that
// breaks leaves its (uncompressed) upload parked for resumption.

#include <memory>

#include "reapi/compression.h"
#include "reapi/resource_name.h"
#include "server/bytestream_service.h"
#include "server/call_log.h"

namespace reference {
namespace {

class WriteReactor final : public grpc::ServerReadReactor<google::bytestream::WriteRequest> {
 public:
  WriteReactor(ByteStreamContext& context, google::bytestream::WriteResponse* response)
      : context_(context), response_(response) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      end_of_stream();
      return;
    }
    if (committed_) {
      fail(absl::InvalidArgumentError("a message came after the one with finish_write"),
           Keep::nothing);
      return;
    }
    // Name and offset errors leave the upload resumable; bad data ends it.
    if (auto s = started_ ? check_continuation() : start(); !s.ok()) {
      fail(s, Keep::upload);
      return;
    }
    if (finished_) return;  // early return: the blob was already stored
    if (auto s = receive(); !s.ok()) {
      fail(s, Keep::nothing);
      return;
    }
    StartRead(&request_);
  }

  // The callback API's ownership contract: the reactor deletes itself when gRPC is done.
  void OnDone() override {
    // A stream that broke mid-upload leaves what it received for a resumed stream.
    if (!key_.empty()) context_.uploads.park(key_, compressed_ ? nullptr : std::move(upload_));
    delete this;
  }

 private:
  // First message: the resource name decides everything (BS-WRITE-01).
  absl::Status start() {
    started_ = true;
    if (request_.resource_name().empty()) {
      return absl::InvalidArgumentError("the first WriteRequest must carry resource_name");
    }
    resource_name_ = request_.resource_name();
    auto name = reapi::parse_write_resource_name(resource_name_);
    if (!name.ok()) return name.status();
    auto fn = context_.policy.check_blob_name(*name);
    if (!fn.ok()) return fn.status();
    if (auto s = context_.policy.check_writable("Write"); !s.ok()) return s;
    // Over max_cas_blob_size_bytes: refused as soon as the name says so (BS-WRITE-12).
    if (auto s = context_.policy.check_blob_size(name->digest); !s.ok()) return s;
    compressed_ = name->compressor != reapi::Compressor::identity;
    size_ = name->digest.size_bytes;

    // Already stored: finish at once (BS-WRITE-05/06) unless told to always receive.
    if (!context_.policy.config().disable_overwrite_early_return &&
        context_.cas.contains(*fn, name->digest)) {
      return complete(compressed_ ? -1 : size_);
    }
    auto claim = context_.uploads.claim(upload_key(*name));
    if (!claim.ok()) return claim.status();
    key_ = upload_key(*name);
    progress_ = claim->progress;
    upload_ = std::move(claim->upload);
    if (upload_ && compressed_) upload_.reset();  // compressed uploads restart from zero
    if (!upload_) {
      auto upload = context_.cas.begin_upload(*fn, name->digest);
      if (!upload.ok()) return upload.status();
      upload_ = *std::move(upload);
    }
    if (compressed_) decompressor_ = std::make_unique<reapi::ZstdDecompressor>();
    // Uncompressed: resume where the kept bytes end. Compressed: always from 0.
    offset_ = compressed_ ? 0 : upload_->size();
    if (request_.write_offset() != offset_) {
      return absl::InvalidArgumentError(
          "write_offset " + std::to_string(request_.write_offset()) + " does not match the " +
          std::to_string(offset_) + " bytes committed for " + resource_name_ +
          (offset_ > 0 ? " (ask QueryWriteStatus where to resume)" : ""));
    }
    return absl::OkStatus();
  }

  absl::Status check_continuation() const {
    if (!request_.resource_name().empty() && request_.resource_name() != resource_name_) {
      return absl::InvalidArgumentError("resource_name changed within one Write stream, from '" +
                                        resource_name_ + "' to '" + request_.resource_name() + "'");
    }
    if (request_.write_offset() != offset_) {
      return absl::InvalidArgumentError("write_offset " + std::to_string(request_.write_offset()) +
                                        " where " + std::to_string(offset_) + " was expected");
    }
    return absl::OkStatus();
  }

  absl::Status receive() {
    const std::string& data = request_.data();
    offset_ += static_cast<std::int64_t>(data.size());
    if (compressed_) {
      plain_.clear();
      if (auto s = decompressor_->decompress(data, plain_, size_); !s.ok()) return s;
      if (auto s = upload_->append(plain_); !s.ok()) return s;
    } else {
      if (auto s = upload_->append(data); !s.ok()) return s;
      progress_->store(upload_->size());
    }
    if (!request_.finish_write()) return absl::OkStatus();
    if (compressed_) {
      if (auto s = decompressor_->finish(); !s.ok()) return s;
    }
    if (auto s = upload_->commit(); !s.ok()) return s;
    context_.uploads.release(key_);
    key_.clear();
    upload_.reset();
    committed_ = true;
    // Compressed: the compressed bytes received (bytestream.md B2); else the blob size.
    response_->set_committed_size(compressed_ ? offset_ : size_);
    return absl::OkStatus();
  }

  absl::Status complete(std::int64_t committed_size) {
    response_->set_committed_size(committed_size);
    finished_ = true;
    Finish(grpc::Status::OK);
    return absl::OkStatus();
  }

  // The client closed its side (or went away).
  void end_of_stream() {
    if (committed_) {
      finished_ = true;
      Finish(grpc::Status::OK);
      return;
    }
    if (!started_) {
      fail(absl::InvalidArgumentError("the Write stream carried no message"), Keep::nothing);
      return;
    }
    // Keep the bytes for a resumed stream and say so.
    fail(absl::InvalidArgumentError("the stream ended before finish_write; " +
                                    std::to_string(compressed_ ? 0 : upload_->size()) +
                                    " bytes of " + resource_name_ +
                                    " are kept, QueryWriteStatus tells where to resume"),
         Keep::upload);
  }

  enum class Keep { upload, nothing };
  // Parks (Keep::upload) or forgets the upload before the status goes out, so a client
  // that retries as soon as it sees the status finds the name free rather than still held
  // by this finished stream (ABORTED). No read is pending here, so upload_ is ours to give.
  void fail(const absl::Status& status, Keep keep) {
    if (!key_.empty()) {
      if (keep == Keep::nothing) {
        context_.uploads.release(key_);
      } else {
        context_.uploads.park(key_, compressed_ ? nullptr : std::move(upload_));
      }
      key_.clear();
    }
    finished_ = true;
    Finish(answer("Write", status));
  }

  ByteStreamContext& context_;
  google::bytestream::WriteResponse* response_;
  google::bytestream::WriteRequest request_;
  std::string resource_name_;
  std::string key_;  // registry key while this stream holds an upload
  std::shared_ptr<std::atomic<std::int64_t>> progress_;
  std::unique_ptr<VerifiedUpload> upload_;
  std::unique_ptr<reapi::ZstdDecompressor> decompressor_;
  std::string plain_;
  std::int64_t offset_ = 0;  // next expected write_offset
  std::int64_t size_ = 0;
  bool compressed_ = false;
  bool started_ = false;
  bool committed_ = false;
  bool finished_ = false;  // Finish() was called
};

}  // namespace

grpc::ServerReadReactor<google::bytestream::WriteRequest>* start_write(
    ByteStreamContext& context, google::bytestream::WriteResponse* response) {
  return std::make_unique<WriteReactor>(context, response).release();
}

}  // namespace reference
