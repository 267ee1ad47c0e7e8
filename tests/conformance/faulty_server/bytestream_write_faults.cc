// ByteStream Write faults: the stream protocol loosened (later names and offsets not
// checked, messages after finish_write), uploads refused that must be taken (empty
// messages, the empty blob, resumed streams), wrong committed sizes (early returns,
// compressed uploads, one short), uploads visible before they are verified, and concurrent
// uploads of one blob that fail instead of both succeeding.

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "call_rewriter.h"
#include "fault_plan.h"
#include "forwarding_storage.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/resource_name.h"

namespace faulty {
namespace {
using google::bytestream::QueryWriteStatusRequest;
using google::bytestream::QueryWriteStatusResponse;
using google::bytestream::WriteRequest;
using google::bytestream::WriteResponse;

// The upload a Write's first message names, if it parses.
std::optional<reapi::BlobResourceName> upload_named(const WriteRequest& request) {
  auto name = reapi::parse_write_resource_name(request.resource_name());
  if (!name.ok()) return std::nullopt;
  return *std::move(name);
}

// Reports committed_size one less than the truth (Write and QueryWriteStatus alike).
template <class Request, class Response>
class ShortCommittedSize final : public CallRewriter<Request, Response> {
  bool on_response(Response& response) override {
    if (response.committed_size() <= 0) return false;
    response.set_committed_size(response.committed_size() - 1);
    return true;
  }
};

// The blobs being uploaded right now, by instance, function and digest (not by upload id).
class InFlightUploads {
 public:
  bool claim(const std::string& key) {
    std::lock_guard lock(mu_);
    return keys_.insert(key).second;
  }
  void release(const std::string& key) {
    std::lock_guard lock(mu_);
    keys_.erase(key);
  }

 private:
  std::mutex mu_;
  std::set<std::string> keys_;
};

// A per-blob upload lock taken without waiting: the first writer of a blob wins, any other
// Write of it that starts meanwhile ends ABORTED (BS-WRITE-11 wants both to succeed).
class RacingWritesFail final : public CallRewriter<WriteRequest, WriteResponse> {
 public:
  explicit RacingWritesFail(std::shared_ptr<InFlightUploads> uploads)
      : uploads_(std::move(uploads)) {}
  ~RacingWritesFail() override { release(); }

 private:
  void on_request(WriteRequest& request) override {
    std::lock_guard lock(mu_);  // a read may still be pending when the status goes out
    if (started_) return;       // only the first message names the blob
    started_ = true;
    auto name = reapi::parse_write_resource_name(request.resource_name());
    if (!name.ok()) return;
    std::string key = name->instance_name + "|" + name->digest.to_string();
    if (name->digest_function) key += "|" + std::string(reapi::name(*name->digest_function));
    if (uploads_->claim(key)) {
      held_ = std::move(key);
    } else {
      lost_race_ = true;
    }
  }
  bool on_status(grpc::Status& status) override {
    std::lock_guard lock(mu_);
    release();
    if (!lost_race_) return false;
    status = grpc::Status(grpc::StatusCode::ABORTED,
                          "another upload of this blob is in progress; try again later");
    return true;
  }
  void release() {
    if (held_.empty()) return;
    uploads_->release(held_);
    held_.clear();
  }

  std::shared_ptr<InFlightUploads> uploads_;
  std::mutex mu_;
  bool started_ = false;
  bool lost_race_ = false;
  std::string held_;  // the key this call claimed, until it ends
};

// Base of the Write faults that watch a stream message by message. inspect() sees each
// message (and may edit it) before the service does; the state it keeps is read again when
// the answer goes out, so it is guarded.
class WatchedWrite : public CallRewriter<WriteRequest, WriteResponse> {
 protected:
  virtual void inspect(WriteRequest& request, bool first) = 0;
  std::mutex mu_;

 private:
  void on_request(WriteRequest& request) final {
    std::lock_guard lock(mu_);
    inspect(request, messages_++ == 0);
  }
  int messages_ = 0;
};

// Base of the faults that refuse a stream the reference would take. refuse() makes the
// reference refuse it at the current message, without touching any upload it keeps (a
// first message loses its name; a later one gets a write_offset no stream can have), and
// the call then ends INVALID_ARGUMENT with the fault's reason.
class RefusingWrite : public WatchedWrite {
 protected:
  void refuse(WriteRequest& request, bool first, std::string why) {
    if (!reason_.empty()) return;
    if (first) {
      request.clear_resource_name();
    } else {
      request.set_write_offset(-1);
    }
    reason_ = std::move(why);
  }

 private:
  bool on_status(grpc::Status& status) final {
    std::lock_guard lock(mu_);
    if (reason_.empty()) return false;
    status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, reason_);
    return true;
  }
  std::string reason_;
};

// Reads the resource name of the first message only: a later message that names another
// upload goes on as part of the first (BS-WRITE-01).
class LaterNamesIgnored final : public WatchedWrite {
  void inspect(WriteRequest& request, bool first) override {
    if (!first) request.clear_resource_name();
  }
};

// Checks the first message's write_offset only and appends every later message where the
// data so far ends, whatever offset it says (BS-WRITE-02).
class LaterOffsetsIgnored final : public WatchedWrite {
  void inspect(WriteRequest& request, bool first) override {
    if (!first) request.set_write_offset(next_);
    next_ = request.write_offset() + static_cast<std::int64_t>(request.data().size());
  }
  std::int64_t next_ = 0;
};

// An early return for a stored blob answers the bytes read so far as committed_size, not
// the blob's size (BS-WRITE-05). Only a call that answers before finish_write came has
// returned early; compressed uploads are left alone (their early return is -1).
class EarlyReturnCountsReceived final : public WatchedWrite {
  void inspect(WriteRequest& request, bool first) override {
    if (first) {
      const auto name = upload_named(request);
      plain_ = name && name->compressor == reapi::Compressor::identity;
    }
    received_ += static_cast<std::int64_t>(request.data().size());
    finished_ = finished_ || request.finish_write();
  }
  bool on_response(WriteResponse& response) override {
    std::lock_guard lock(mu_);
    if (!plain_ || finished_ || response.committed_size() == received_) return false;
    response.set_committed_size(received_);
    return true;
  }
  bool plain_ = false;
  bool finished_ = false;
  std::int64_t received_ = 0;
};

// A compressed upload answers the blob's uncompressed size as committed_size, both when it
// completes (bytestream.md B2: a warning) and when it returns early for a stored blob,
// where -1 is due (BS-WRITE-06).
class CompressedAnswersBlobSize final : public WatchedWrite {
  void inspect(WriteRequest& request, bool first) override {
    if (!first) return;
    const auto name = upload_named(request);
    if (name && name->compressor != reapi::Compressor::identity) size_ = name->digest.size_bytes;
  }
  bool on_response(WriteResponse& response) override {
    std::lock_guard lock(mu_);
    if (!size_ || response.committed_size() == *size_) return false;
    response.set_committed_size(*size_);
    return true;
  }
  std::optional<std::int64_t> size_;  // set for compressed uploads
};

// A message after the finish_write one ends the call OK but without its WriteResponse
// (committed_size 0), like a handler that returns from its receive loop without sending
// the response it had built (BS-WRITE-09).
class AfterFinishLosesResponse final : public WatchedWrite {
  void inspect(WriteRequest& request, bool) override {
    extra_ = extra_ || finished_;
    finished_ = finished_ || request.finish_write();
  }
  bool on_status(grpc::Status& status) override {
    std::lock_guard lock(mu_);
    if (!extra_ || status.ok()) return false;
    status = grpc::Status::OK;
    return true;
  }
  bool finished_ = false;
  bool extra_ = false;  // a message came after finish_write
};

// A message without data is refused unless it finishes the upload (BS-WRITE-10).
class EmptyMessageRefused final : public RefusingWrite {
  void inspect(WriteRequest& request, bool first) override {
    if (request.data().empty() && !request.finish_write()) {
      refuse(request, first, "a WriteRequest without data must carry finish_write");
    }
  }
};

// A Write that carries no data at all is refused, so the empty blob cannot be uploaded
// through ByteStream (BS-WRITE-14, COM-06).
class NoDataRefused final : public RefusingWrite {
  void inspect(WriteRequest& request, bool first) override {
    received_ += static_cast<std::int64_t>(request.data().size());
    if (request.finish_write() && received_ == 0) {
      refuse(request, first, "the Write carried no data");
    }
  }
  std::int64_t received_ = 0;
};

// Broken uploads cannot be resumed: a stream whose first write_offset is not 0 is refused,
// though QueryWriteStatus reports how far the broken one got (BS-WRITE-13).
class ResumeRefused final : public RefusingWrite {
  void inspect(WriteRequest& request, bool first) override {
    if (first && request.write_offset() != 0) {
      refuse(request, first,
             "write_offset " + std::to_string(request.write_offset()) +
                 ": uploads always start at offset 0 (resuming is not supported)");
    }
  }
};

// --- uploads written in place ---

// The bytes of one upload, as far as they came; shared by its writer and by readers.
struct PartialBlob {
  std::mutex mu;
  std::string bytes;
};

class SnapshotReader final : public reference::BlobReader {
 public:
  explicit SnapshotReader(std::string bytes) : bytes_(std::move(bytes)) {}
  std::int64_t size() const override { return static_cast<std::int64_t>(bytes_.size()); }
  absl::Status read(std::int64_t offset, std::size_t length, std::string& out) override {
    if (offset < 0 || offset > size()) return absl::OutOfRangeError("read offset out of range");
    out.append(bytes_, static_cast<std::size_t>(offset), length);
    return absl::OkStatus();
  }

 private:
  std::string bytes_;
};

// Writes land where the finished blob goes: from create() on, the key is present and reads
// as the bytes received so far, and a writer dropped without commit (a failed
// verification, a broken stream) leaves them there, as a server writing straight to the
// final file does (BS-WRITE-04, BS-WRITE-08).
class InPlaceStorage final : public ForwardingStorage {
 public:
  using ForwardingStorage::ForwardingStorage;

  bool contains(const reference::BlobKey& key) override {
    return partial(key) != nullptr || inner().contains(key);
  }
  absl::StatusOr<std::unique_ptr<reference::BlobReader>> open(
      const reference::BlobKey& key) override {
    if (auto blob = partial(key)) {
      std::lock_guard lock(blob->mu);
      return std::make_unique<SnapshotReader>(blob->bytes);
    }
    return inner().open(key);
  }
  absl::StatusOr<std::unique_ptr<reference::BlobWriter>> create(
      const reference::BlobKey& key) override;
  std::vector<absl::Status> write_batch(std::span<const reference::BlobWrite> blobs) override {
    std::vector<absl::Status> statuses = inner().write_batch(blobs);
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      if (statuses[i].ok()) forget(blobs[i].key, nullptr);
    }
    return statuses;
  }
  std::string describe() const override {
    return ForwardingStorage::describe() + " (faulty: uploads written in place)";
  }

  // The writer of `blob` committed (or a batch replaced the key): the store has it now.
  void forget(const reference::BlobKey& key, const PartialBlob* blob) {
    std::lock_guard lock(mu_);
    auto it = partials_.find(key);
    if (it != partials_.end() && (blob == nullptr || it->second.get() == blob)) {
      partials_.erase(it);
    }
  }

 private:
  std::shared_ptr<PartialBlob> partial(const reference::BlobKey& key) {
    std::lock_guard lock(mu_);
    auto it = partials_.find(key);
    return it == partials_.end() ? nullptr : it->second;
  }

  std::mutex mu_;
  std::unordered_map<reference::BlobKey, std::shared_ptr<PartialBlob>, reference::BlobKeyHash>
      partials_;
};

class PartialWriter final : public reference::BlobWriter {
 public:
  PartialWriter(InPlaceStorage& storage, reference::BlobKey key,
                std::unique_ptr<reference::BlobWriter> inner, std::shared_ptr<PartialBlob> blob)
      : storage_(storage), key_(std::move(key)), inner_(std::move(inner)), blob_(std::move(blob)) {}

  absl::Status append(std::string_view data) override {
    if (auto s = inner_->append(data); !s.ok()) return s;
    std::lock_guard lock(blob_->mu);
    blob_->bytes.append(data);
    return absl::OkStatus();
  }
  std::int64_t size() const override { return inner_->size(); }
  absl::Status commit() override {
    absl::Status s = inner_->commit();
    if (s.ok()) storage_.forget(key_, blob_.get());
    return s;
  }

 private:
  InPlaceStorage& storage_;
  reference::BlobKey key_;
  std::unique_ptr<reference::BlobWriter> inner_;
  std::shared_ptr<PartialBlob> blob_;
};

absl::StatusOr<std::unique_ptr<reference::BlobWriter>> InPlaceStorage::create(
    const reference::BlobKey& key) {
  auto writer = inner().create(key);
  if (!writer.ok() || key.space != reference::Space::cas) return writer;
  auto blob = std::make_shared<PartialBlob>();
  {
    std::lock_guard lock(mu_);
    partials_[key] = blob;
  }
  return std::make_unique<PartialWriter>(*this, key, *std::move(writer), std::move(blob));
}

// --- plans ---

FaultPlan short_committed_size() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kWrite)) {
      return std::make_unique<ShortCommittedSize<WriteRequest, WriteResponse>>();
    }
    if (is_method(info, method::kQueryWriteStatus)) {
      return std::make_unique<
          ShortCommittedSize<QueryWriteStatusRequest, QueryWriteStatusResponse>>();
    }
    return nullptr;
  };
  return plan;
}

FaultPlan per_blob_upload_lock() {
  FaultPlan plan;
  auto uploads = std::make_shared<InFlightUploads>();
  plan.interceptor = per_call<RacingWritesFail>(method::kWrite, uploads);
  return plan;
}

FaultPlan write_in_place() {
  FaultPlan plan;
  plan.wrap_storage = [](std::unique_ptr<reference::Storage> inner) {
    return std::make_unique<InPlaceStorage>(std::move(inner));
  };
  return plan;
}

}  // namespace

std::vector<FaultEntry> bytestream_write_faults() {
  return {
      {.name = "wrong-committed-size",
       .description = "Write and QueryWriteStatus report committed_size one short",
       .make = short_committed_size,
       .expect = {.filter = "bytestream.query_write_status.*",
                  .fails = {"bytestream.query_write_status.committed_size_never_exceeds_sent"}}},
      {.name = "racing-writes-fail",
       .description = "a Write of a blob another Write is uploading fails with ABORTED",
       .make = per_blob_upload_lock,
       .expect = {.filter = "concurrency.*,bytestream.write.concurrent_same_blob",
                  .fails = {"concurrency.concurrent_uploads_same_blob",
                            "bytestream.write.concurrent_same_blob"}}},
      {.name = "write-later-names-ignored",
       .description = "Write reads the resource name of the first message only; a later "
                      "message naming another upload is taken as part of the first",
       .make = [] { return intercept<LaterNamesIgnored>(method::kWrite); },
       .expect = {.filter = "bytestream.write.resource_name_first_message",
                  .fails = {"bytestream.write.resource_name_first_message"}}},
      {.name = "write-later-offsets-ignored",
       .description = "Write checks the first message's write_offset only and appends later "
                      "messages whatever offset they say",
       .make = [] { return intercept<LaterOffsetsIgnored>(method::kWrite); },
       .expect = {.filter = "bytestream.write.offsets_contiguous",
                  .fails = {"bytestream.write.offsets_contiguous"}}},
      {.name = "write-in-place",
       .description = "uploads are written where the blob goes: present and readable as they "
                      "arrive, and left there when verification fails or the stream breaks",
       .make = write_in_place,
       .expect = {.filter = "bytestream.write.unfinished_not_stored,"
                            "bytestream.write.digest_mismatch_rejected,"
                            "concurrency.no_partial_reads_during_upload",
                  .fails = {"bytestream.write.unfinished_not_stored",
                            "bytestream.write.digest_mismatch_rejected",
                            "concurrency.no_partial_reads_during_upload"}}},
      {.name = "early-return-counts-received",
       .description = "an early return for a stored blob answers the bytes read so far as "
                      "committed_size instead of the blob's size",
       .make = [] { return intercept<EarlyReturnCountsReceived>(method::kWrite); },
       .expect = {.filter = "bytestream.write.existing_blob_early_return,"
                            "bytestream.write.repeat_completed_resource",
                  .fails = {"bytestream.write.existing_blob_early_return",
                            "bytestream.write.repeat_completed_resource"}}},
      {.name = "compressed-write-answers-blob-size",
       .description = "a compressed Write answers the uncompressed blob size as committed_size, "
                      "also on an early return (where -1 is due)",
       .make = [] { return intercept<CompressedAnswersBlobSize>(method::kWrite); },
       .expect = {.filter = "bytestream.write.compressed_*",
                  .fails = {"bytestream.write.compressed_early_return"},
                  .warns = {"bytestream.write.compressed_completion_size"}}},
      {.name = "write-after-finish-loses-response",
       .description = "a message after finish_write ends the Write OK but without its "
                      "WriteResponse (committed_size 0)",
       .make = [] { return intercept<AfterFinishLosesResponse>(method::kWrite); },
       .expect = {.filter = "bytestream.write.no_messages_after_finish",
                  .fails = {"bytestream.write.no_messages_after_finish"}}},
      {.name = "write-empty-message-refused",
       .description = "Write refuses a message without data unless it carries finish_write",
       .make = [] { return intercept<EmptyMessageRefused>(method::kWrite); },
       .expect = {.filter = "bytestream.write.empty_messages_accepted",
                  .fails = {"bytestream.write.empty_messages_accepted"}}},
      {.name = "write-without-data-refused",
       .description = "a Write that carries no data at all is refused: the empty blob cannot "
                      "be uploaded through ByteStream",
       .make = [] { return intercept<NoDataRefused>(method::kWrite); },
       .expect = {.filter = "bytestream.write.empty_blob_upload,common.empty_blob_upload_accepted",
                  .fails = {"bytestream.write.empty_blob_upload",
                            "common.empty_blob_upload_accepted"}}},
      {.name = "write-resume-refused",
       .description = "Write refuses a first write_offset other than 0, though QueryWriteStatus "
                      "reports how far a broken upload got",
       .make = [] { return intercept<ResumeRefused>(method::kWrite); },
       .expect = {.filter = "bytestream.write.resume_after_break",
                  .fails = {"bytestream.write.resume_after_break"}}},
  };
}

}  // namespace faulty
