// ByteStream Write faults: committed sizes reported one short, and concurrent uploads of
// one blob that fail instead of both succeeding.

#include <mutex>
#include <set>
#include <string>

#include "call_rewriter.h"
#include "fault_plan.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/resource_name.h"

namespace faulty {
namespace {
using google::bytestream::QueryWriteStatusRequest;
using google::bytestream::QueryWriteStatusResponse;
using google::bytestream::WriteRequest;
using google::bytestream::WriteResponse;

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
  plan.interceptor = [uploads](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (!is_method(info, method::kWrite)) return nullptr;
    return std::make_unique<RacingWritesFail>(uploads);
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
  };
}

}  // namespace faulty
