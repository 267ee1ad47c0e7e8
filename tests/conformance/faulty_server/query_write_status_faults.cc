// QueryWriteStatus faults: progress invented for uploads never started, answers that go
// back in time, completion reported before finish_write, finished uploads forgotten, and
// the Write early-return value (-1) where an uncompressed size is due.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "call_rewriter.h"
#include "fault_plan.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/resource_name.h"
#include "server/policy.h"
#include "server/server_config.h"

namespace faulty {
namespace {
using google::bytestream::QueryWriteStatusRequest;
using google::bytestream::QueryWriteStatusResponse;
using google::bytestream::WriteRequest;
using google::bytestream::WriteResponse;

// An upload name without its optional metadata: the upload it names, as the server keys it.
std::optional<reapi::BlobResourceName> upload_of(const std::string& resource_name) {
  auto name = reapi::parse_write_resource_name(resource_name);
  if (!name.ok()) return std::nullopt;
  name->metadata.clear();
  return *std::move(name);
}
std::optional<std::string> upload_key(const std::string& resource_name) {
  auto name = upload_of(resource_name);
  if (!name) return std::nullopt;
  return reapi::format_write_resource_name(*name);
}

// The function the faulty server reads a name's digest with (its default configuration).
std::optional<reapi::DigestFunction> function_of(const reapi::BlobResourceName& name) {
  const std::vector<reapi::DigestFunction> served = reference::ServerConfig{}.digest_functions;
  if (name.digest_function) return name.digest_function;
  return reapi::infer_from_hex_length(name.digest.hash.size(), served);
}

// Base of the rewriters that need the upload a QueryWriteStatus asks about.
class QueryRewriter : public CallRewriter<QueryWriteStatusRequest, QueryWriteStatusResponse> {
 protected:
  void on_request(QueryWriteStatusRequest& request) override {
    name_ = upload_of(request.resource_name());
  }
  std::optional<reapi::BlobResourceName> name_;
};

// --- unknown uploads answered with progress 0 ---

// What the fault needs to tell an unknown upload: the names Write streams opened, and the
// storage (to tell a stored blob, which the server reports complete).
struct KnownUploads {
  std::mutex mu;
  std::set<std::string> names;
  reference::Storage* storage = nullptr;  // set when the server opens its storage

  void add(const std::string& key) {
    std::lock_guard lock(mu);
    names.insert(key);
  }
  bool known(const std::string& key) {
    std::lock_guard lock(mu);
    return names.contains(key);
  }
};

class RecordUploadNames final : public CallRewriter<WriteRequest, WriteResponse> {
 public:
  explicit RecordUploadNames(std::shared_ptr<KnownUploads> known) : known_(std::move(known)) {}

 private:
  void on_request(WriteRequest& request) override {
    if (auto key = upload_key(request.resource_name())) known_->add(*key);
  }
  std::shared_ptr<KnownUploads> known_;
};

// QueryWriteStatus of an upload nobody started (and of a blob not stored) answers
// committed_size 0, complete false, instead of NOT_FOUND (BS-QWS-01, bytestream.md B3).
// The service is asked about the empty blob under the same upload id, which always
// answers, and its answer becomes "nothing yet".
class UnknownUploadAtZero final : public QueryRewriter {
 public:
  explicit UnknownUploadAtZero(std::shared_ptr<KnownUploads> known) : known_(std::move(known)) {}

 private:
  void on_request(QueryWriteStatusRequest& request) override {
    QueryRewriter::on_request(request);
    if (!name_ || known_->known(reapi::format_write_resource_name(*name_))) return;
    const auto fn = function_of(*name_);
    if (!fn || !reapi::validate_digest(*fn, name_->digest).ok()) return;
    if (reference::is_empty_blob(*fn, name_->digest) ||
        known_->storage->contains(reference::BlobKey::cas(*fn, name_->digest))) {
      return;
    }
    reapi::BlobResourceName empty = *name_;
    empty.digest = reapi::empty_digest(*fn);
    request.set_resource_name(reapi::format_write_resource_name(empty));
    invented_ = true;
  }
  bool on_response(QueryWriteStatusResponse& response) override {
    if (!invented_) return false;
    response.set_committed_size(0);
    response.set_complete(false);
    return true;
  }

  std::shared_ptr<KnownUploads> known_;
  bool invented_ = false;
};

// --- two replicas, one of them lagging ---

// How many in-progress answers each upload has had.
struct AnswerCounts {
  std::mutex mu;
  std::map<std::string, int> counts;

  int next(const std::string& key) {
    std::lock_guard lock(mu);
    return ++counts[key];
  }
};

// QueryWriteStatus is answered by two replicas in turn, and one never hears of upload
// progress: every second answer about an upload in progress says 0 (BS-QWS-02).
class LaggingReplica final : public QueryRewriter {
 public:
  explicit LaggingReplica(std::shared_ptr<AnswerCounts> counts) : counts_(std::move(counts)) {}

 private:
  bool on_response(QueryWriteStatusResponse& response) override {
    if (!name_ || response.complete()) return false;
    if (counts_->next(reapi::format_write_resource_name(*name_)) % 2 != 0) return false;
    response.set_committed_size(0);
    return true;
  }
  std::shared_ptr<AnswerCounts> counts_;
};

// --- completion, finished uploads, compressed uploads ---

// An uncompressed upload counts as complete once all its bytes have arrived, before any
// finish_write (BS-QWS-03).
class CompleteWhenAllBytes final : public QueryRewriter {
  bool on_response(QueryWriteStatusResponse& response) override {
    if (!name_ || name_->compressor != reapi::Compressor::identity || response.complete() ||
        name_->digest.size_bytes == 0 || response.committed_size() != name_->digest.size_bytes) {
      return false;
    }
    response.set_complete(true);
    return true;
  }
};

// Only uploads in progress are known: a finished upload, or any upload name of a stored
// blob, answers NOT_FOUND instead of complete (BS-QWS-04, bytestream.md B4).
class ForgetsFinished final : public QueryRewriter {
  bool on_response(QueryWriteStatusResponse& response) override {
    complete_ = response.complete();
    return false;
  }
  bool on_status(grpc::Status& status) override {
    if (!status.ok() || !complete_) return false;
    status = grpc::Status(grpc::StatusCode::NOT_FOUND, "no upload in progress under this name");
    return true;
  }
  bool complete_ = false;
};

// A compressed upload of a stored blob answers committed_size -1, the value of a Write's
// early return, instead of the uncompressed size (BS-QWS-06).
class CompressedCompleteMinusOne final : public QueryRewriter {
  bool on_response(QueryWriteStatusResponse& response) override {
    if (!name_ || name_->compressor == reapi::Compressor::identity || !response.complete()) {
      return false;
    }
    response.set_committed_size(-1);
    return true;
  }
};

FaultPlan unknown_upload_at_zero() {
  FaultPlan plan;
  auto known = std::make_shared<KnownUploads>();
  plan.wrap_storage = [known](std::unique_ptr<reference::Storage> storage) {
    known->storage = storage.get();
    return storage;
  };
  plan.interceptor = [known](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kWrite)) return std::make_unique<RecordUploadNames>(known);
    if (is_method(info, method::kQueryWriteStatus)) {
      return std::make_unique<UnknownUploadAtZero>(known);
    }
    return nullptr;
  };
  return plan;
}

FaultPlan lagging_replica() {
  FaultPlan plan;
  auto counts = std::make_shared<AnswerCounts>();
  plan.interceptor = per_call<LaggingReplica>(method::kQueryWriteStatus, counts);
  return plan;
}

}  // namespace

std::vector<FaultEntry> query_write_status_faults() {
  return {
      {.name = "qws-unknown-upload-at-zero",
       .description = "QueryWriteStatus of an upload never started answers committed_size 0 "
                      "instead of NOT_FOUND",
       .make = unknown_upload_at_zero,
       .expect = {.filter = "bytestream.query_write_status.unknown_upload_not_found",
                  .warns = {"bytestream.query_write_status.unknown_upload_not_found"},
                  .extra_args = {"--strict"}}},
      {.name = "qws-lagging-replica",
       .description = "QueryWriteStatus alternates between two replicas, one of which never "
                      "sees upload progress (every second answer says 0)",
       .make = lagging_replica,
       .expect = {.filter = "bytestream.query_write_status.committed_size_non_decreasing",
                  .fails = {"bytestream.query_write_status.committed_size_non_decreasing"}}},
      {.name = "qws-complete-before-finish",
       .description = "QueryWriteStatus reports an upload complete once all its bytes came, "
                      "before finish_write",
       .make = [] { return intercept<CompleteWhenAllBytes>(method::kQueryWriteStatus); },
       .expect = {.filter = "bytestream.query_write_status.complete_only_after_finish",
                  .fails = {"bytestream.query_write_status.complete_only_after_finish"}}},
      {.name = "qws-forgets-finished",
       .description = "QueryWriteStatus knows only uploads in progress: a finished upload or a "
                      "stored blob answers NOT_FOUND",
       .make = [] { return intercept<ForgetsFinished>(method::kQueryWriteStatus); },
       .expect = {.filter = "bytestream.query_write_status.stored_blob_reported_complete",
                  .warns = {"bytestream.query_write_status.stored_blob_reported_complete"},
                  .extra_args = {"--strict"}}},
      {.name = "qws-compressed-minus-one",
       .description = "QueryWriteStatus of a compressed upload of a stored blob answers "
                      "committed_size -1 instead of the uncompressed size",
       .make = [] { return intercept<CompressedCompleteMinusOne>(method::kQueryWriteStatus); },
       .expect = {.filter = "bytestream.query_write_status.compressed_upload_uncompressed_offset",
                  .warns = {"bytestream.query_write_status.compressed_upload_uncompressed_offset"},
                  .extra_args = {"--strict"}}},
  };
}

}  // namespace faulty
