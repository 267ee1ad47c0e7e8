// Faults for the common.* checks: digests (text form, malformed hashes, sizes), digest
// functions (explicit, inferred, unsupported, mixed), instance names, metadata headers and
// the canonical encoding of digested messages.

#include <grpcpp/support/server_interceptor.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "forwarding_storage.h"
#include "google/bytestream/bytestream.pb.h"
#include "reapi/resource_name.h"
#include "server/server_config.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;
namespace bs = google::bytestream;
using Point = grpc::experimental::InterceptionHookPoints;

// The digest functions the faulty server serves (its default configuration).
const std::vector<reapi::DigestFunction>& served_functions() {
  static const std::vector<reapi::DigestFunction> served =
      reference::ServerConfig{}.digest_functions;
  return served;
}
bool served(reapi::DigestFunction fn) {
  return std::find(served_functions().begin(), served_functions().end(), fn) !=
         served_functions().end();
}

// The served function a request's digest_function field (0: unset) means for a hash of
// `hex_length` characters; nullopt when none does.
std::optional<reapi::DigestFunction> function_for(int requested, std::size_t hex_length) {
  if (requested == 0) return reapi::infer_from_hex_length(hex_length, served_functions());
  auto fn = reapi::digest_function_from_number(requested);
  if (!fn || !served(*fn)) return std::nullopt;
  return fn;
}

std::string key_of(const std::string& instance, const v2::Digest& d) {
  return instance + "|" + d.hash() + "/" + std::to_string(d.size_bytes());
}

// Which digests of a FindMissingBlobs request a fault keeps from the service.
using Pick = bool (*)(const v2::FindMissingBlobsRequest&, const v2::Digest&);

// Takes the digests `pick` chooses out of a FindMissingBlobs request before the service
// sees it, and lists them missing in the answer when `listed` (else they look present):
// the service never judges them.
class FindMissingBypass
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
 protected:
  FindMissingBypass(Pick pick, bool listed) : pick_(pick), listed_(listed) {}

 private:
  void on_request(v2::FindMissingBlobsRequest& request) override {
    std::vector<v2::Digest> kept;
    for (const auto& d : request.blob_digests()) (pick_(request, d) ? picked_ : kept).push_back(d);
    if (picked_.empty()) return;
    request.clear_blob_digests();
    for (auto& d : kept) *request.add_blob_digests() = std::move(d);
    // With nothing left of its own, the request must not fail on its function either.
    if (kept.empty()) request.set_digest_function(v2::DigestFunction::UNKNOWN);
  }
  bool on_response(v2::FindMissingBlobsResponse& response) override {
    if (!listed_ || picked_.empty()) return false;
    for (const auto& d : picked_) *response.add_missing_blob_digests() = d;
    return true;
  }

  Pick pick_;
  bool listed_;
  std::vector<v2::Digest> picked_;
};

// --- COM-01: the text form of returned hashes ---

// BatchUpdateBlobs echoes each digest's hash in upper case (COM-01).
class UppercaseEcho final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
  bool on_response(v2::BatchUpdateBlobsResponse& response) override {
    for (auto& entry : *response.mutable_responses()) {
      std::string& hash = *entry.mutable_digest()->mutable_hash();
      std::transform(hash.begin(), hash.end(), hash.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
    return response.responses_size() > 0;
  }
};

// --- COM-02, COM-04: malformed digests ---

bool malformed_hash(const v2::FindMissingBlobsRequest& request, const v2::Digest& d) {
  const int requested = request.digest_function();
  const auto fn = function_for(requested, d.hash().size());
  // An explicit function the server does not serve is another fault's matter (COM-09);
  // unset, a length no served function has is a malformed hash.
  if (!fn) return requested == 0;
  return !reapi::validate_hash(*fn, d.hash()).ok();
}

// FindMissingBlobs skips the digests whose hash it cannot parse, so they are neither
// refused nor listed missing: they look present (COM-02).
class SkipsMalformedHashes final : public FindMissingBypass {
 public:
  SkipsMalformedHashes() : FindMissingBypass(malformed_hash, false) {}
};

bool negative_size(const v2::FindMissingBlobsRequest&, const v2::Digest& d) {
  return d.size_bytes() < 0;
}

// FindMissingBlobs does not validate size_bytes: a negative size is looked up like any
// other and reported missing, not refused (COM-04).
class NegativeSizeMissing final : public FindMissingBypass {
 public:
  NegativeSizeMissing() : FindMissingBypass(negative_size, true) {}
};

// --- COM-07 .. COM-10: digest functions ---

// FindMissingBlobs ignores the request's digest_function and reads every digest as SHA-256
// (a handler left over from a SHA-256-only server; COM-07).
class FindMissingAssumesSha256 final
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
  void on_request(v2::FindMissingBlobsRequest& request) override {
    request.set_digest_function(v2::DigestFunction::SHA256);
  }
};

// An unset digest_function means SHA-256, whatever the hash length says (COM-08).
template <class Request, class Response>
class UnsetMeansSha256 final : public CallRewriter<Request, Response> {
  void on_request(Request& request) override {
    if (request.digest_function() == v2::DigestFunction::UNKNOWN) {
      request.set_digest_function(v2::DigestFunction::SHA256);
    }
  }
};

// Whether no served function applies to `d` in a request with digest_function `requested`.
bool unsupported(int requested, const v2::Digest& d) {
  return !function_for(requested, d.hash().size());
}
bool unsupported_in(const v2::FindMissingBlobsRequest& request, const v2::Digest& d) {
  return unsupported(request.digest_function(), d);
}

// Digest functions are not validated: a digest that no served function applies to (an
// unsupported digest_function, or a hash length no served function has) is looked up like
// any other and not found (COM-09). FindMissingBlobs lists it missing ...
class UnsupportedMissing final : public FindMissingBypass {
 public:
  UnsupportedMissing() : FindMissingBypass(unsupported_in, true) {}
};

// ... BatchReadBlobs answers NOT_FOUND for it ...
class UnsupportedNotRead final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
  void on_request(v2::BatchReadBlobsRequest& request) override {
    std::vector<v2::Digest> kept;
    for (const auto& d : request.digests()) {
      (unsupported(request.digest_function(), d) ? dropped_ : kept).push_back(d);
    }
    if (dropped_.empty()) return;
    request.clear_digests();
    for (auto& d : kept) *request.add_digests() = std::move(d);
    if (kept.empty()) request.set_digest_function(v2::DigestFunction::UNKNOWN);
  }
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    for (const auto& d : dropped_) {
      auto* entry = response.add_responses();
      *entry->mutable_digest() = d;
      entry->mutable_status()->set_code(grpc::StatusCode::NOT_FOUND);
      entry->mutable_status()->set_message("blob not found");
    }
    return !dropped_.empty();
  }
  std::vector<v2::Digest> dropped_;
};

// ... and GetTree answers NOT_FOUND for such a root.
class UnsupportedTreeNotFound final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  void on_request(v2::GetTreeRequest& request) override {
    unsupported_ = unsupported(request.digest_function(), request.root_digest());
  }
  bool on_status(grpc::Status& status) override {
    if (!unsupported_ || status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) return false;
    status = grpc::Status(grpc::StatusCode::NOT_FOUND, "root directory not found");
    return true;
  }
  bool unsupported_ = false;
};

bool other_length_than_first(const v2::FindMissingBlobsRequest& request, const v2::Digest& d) {
  return request.digest_function() == v2::DigestFunction::UNKNOWN &&
         d.hash().size() != request.blob_digests(0).hash().size();
}

// With digest_function unset, FindMissingBlobs takes the function from the first digest
// and skips the digests of other lengths: they look present (COM-10 allows a refusal
// with INVALID_ARGUMENT, not a wrong answer).
class MixedSkipped final : public FindMissingBypass {
 public:
  MixedSkipped() : FindMissingBypass(other_length_than_first, false) {}
};

// --- COM-11 .. COM-13: instance names ---

// Blobs written through ByteStream, by instance and digest, until a batch upload stores
// them for the CAS service too.
struct StreamOnlyBlobs {
  std::mutex mu;
  std::set<std::string> keys;

  void add(const std::string& key) {
    std::lock_guard lock(mu);
    keys.insert(key);
  }
  void remove(const std::string& key) {
    std::lock_guard lock(mu);
    keys.erase(key);
  }
  bool contains(const std::string& key) {
    std::lock_guard lock(mu);
    return keys.contains(key);
  }
};

// ByteStream and the CAS service map the default instance to different stores: a blob
// written through ByteStream is not seen by FindMissingBlobs or BatchReadBlobs (COM-11).
class StreamWriteRecorded final : public CallRewriter<bs::WriteRequest, bs::WriteResponse> {
 public:
  explicit StreamWriteRecorded(std::shared_ptr<StreamOnlyBlobs> blobs) : blobs_(std::move(blobs)) {}

 private:
  void on_request(bs::WriteRequest& request) override {
    std::lock_guard lock(mu_);
    if (!key_.empty()) return;
    auto name = reapi::parse_write_resource_name(request.resource_name());
    if (name.ok()) key_ = key_of(name->instance_name, reapi::to_proto(name->digest));
  }
  bool on_status(grpc::Status& status) override {
    std::lock_guard lock(mu_);
    if (status.ok() && !key_.empty()) blobs_->add(key_);
    return false;
  }
  std::shared_ptr<StreamOnlyBlobs> blobs_;
  std::mutex mu_;
  std::string key_;
};

class BatchWriteRecorded final
    : public CallRewriter<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse> {
 public:
  explicit BatchWriteRecorded(std::shared_ptr<StreamOnlyBlobs> blobs) : blobs_(std::move(blobs)) {}

 private:
  void on_request(v2::BatchUpdateBlobsRequest& request) override {
    for (const auto& entry : request.requests()) {
      blobs_->remove(key_of(request.instance_name(), entry.digest()));
    }
  }
  std::shared_ptr<StreamOnlyBlobs> blobs_;
};

class FindMissingMissesStreamed final
    : public CallRewriter<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse> {
 public:
  explicit FindMissingMissesStreamed(std::shared_ptr<StreamOnlyBlobs> blobs)
      : blobs_(std::move(blobs)) {}

 private:
  void on_request(v2::FindMissingBlobsRequest& request) override { request_ = request; }
  bool on_response(v2::FindMissingBlobsResponse& response) override {
    bool changed = false;
    for (const auto& d : request_.blob_digests()) {
      if (!blobs_->contains(key_of(request_.instance_name(), d))) continue;
      const auto& missing = response.missing_blob_digests();
      if (std::any_of(missing.begin(), missing.end(), [&](const v2::Digest& m) {
            return m.hash() == d.hash() && m.size_bytes() == d.size_bytes();
          })) {
        continue;
      }
      *response.add_missing_blob_digests() = d;
      changed = true;
    }
    return changed;
  }
  std::shared_ptr<StreamOnlyBlobs> blobs_;
  v2::FindMissingBlobsRequest request_;
};

class BatchReadMissesStreamed final
    : public CallRewriter<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse> {
 public:
  explicit BatchReadMissesStreamed(std::shared_ptr<StreamOnlyBlobs> blobs)
      : blobs_(std::move(blobs)) {}

 private:
  void on_request(v2::BatchReadBlobsRequest& request) override {
    instance_ = request.instance_name();
  }
  bool on_response(v2::BatchReadBlobsResponse& response) override {
    bool changed = false;
    for (auto& entry : *response.mutable_responses()) {
      if (!blobs_->contains(key_of(instance_, entry.digest()))) continue;
      entry.clear_data();
      entry.mutable_status()->set_code(grpc::StatusCode::NOT_FOUND);
      entry.mutable_status()->set_message("blob not found");
      changed = true;
    }
    return changed;
  }
  std::shared_ptr<StreamOnlyBlobs> blobs_;
  std::string instance_;
};

// Every call is served from the default instance, whatever instance_name says, even a
// name with a reserved segment (COM-12).
template <class Request, class Response>
class InstanceIgnored final : public CallRewriter<Request, Response> {
  void on_request(Request& request) override { request.clear_instance_name(); }
};

// Any method: an unknown instance name is answered UNAVAILABLE, as a router with no
// backend for it does, instead of a refusal a client does not retry forever (COM-13).
// The service's refusal is told by its wording.
class UnknownInstanceUnavailable final : public grpc::experimental::Interceptor {
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Point::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
          status.error_message().starts_with("unknown instance name")) {
        methods->ModifySendStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                               "no backend serves this instance; try again later"));
      }
    }
    methods->Proceed();
  }
};

// --- COM-14, COM-15: metadata headers ---

// The value of client metadata `name` in the call's initial metadata, if sent.
std::optional<std::string> header(grpc::experimental::InterceptorBatchMethods* methods,
                                  std::string_view name) {
  auto* metadata = methods->GetRecvInitialMetadata();
  if (metadata == nullptr) return std::nullopt;
  for (const auto& [key, value] : *metadata) {
    if (std::string_view(key.data(), key.size()) == name) {
      return std::string(value.data(), value.size());
    }
  }
  return std::nullopt;
}

// Any method: a call whose RequestMetadata header has no action_id fails INVALID_ARGUMENT,
// from a logging middleware that takes every such header for an action's (COM-14).
class MetadataNeedsActionId final : public grpc::experimental::Interceptor {
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Point::POST_RECV_INITIAL_METADATA)) {
      if (auto value = header(methods, "build.bazel.remote.execution.v2.requestmetadata-bin")) {
        v2::RequestMetadata metadata;
        refuse_ = metadata.ParseFromString(*value) && metadata.action_id().empty();
      }
    }
    if (refuse_ && methods->QueryInterceptionHookPoint(Point::PRE_SEND_STATUS)) {
      methods->ModifySendStatus(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "RequestMetadata carries no action_id"));
    }
    methods->Proceed();
  }
  bool refuse_ = false;
};

// ByteStream: the resource-name header is routed as a read name, so an upload name in it
// is refused, and so is the call it came with (COM-15). A Write loses its resource names,
// which makes the service refuse it before it stores anything.
class ResourceNameHeaderReadForm final : public grpc::experimental::Interceptor {
 public:
  explicit ResourceNameHeaderReadForm(bool write) : write_(write) {}

 private:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Point::POST_RECV_INITIAL_METADATA)) {
      if (auto value = header(methods, "build.bazel.remote.execution.v2.resource-name")) {
        refuse_ = !reapi::parse_read_resource_name(*value).ok();
      }
    }
    if (refuse_ && write_ && methods->QueryInterceptionHookPoint(Point::POST_RECV_MESSAGE)) {
      if (void* message = methods->GetRecvMessage()) {
        static_cast<bs::WriteRequest*>(message)->clear_resource_name();
      }
    }
    if (refuse_ && methods->QueryInterceptionHookPoint(Point::PRE_SEND_STATUS)) {
      methods->ModifySendStatus(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       "the resource-name header is not a blobs/ or compressed-blobs/ name"));
    }
    methods->Proceed();
  }
  bool write_;
  bool refuse_ = false;
};

// --- plans ---

FaultPlan unset_means_sha256() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kFindMissingBlobs)) {
      return std::make_unique<
          UnsetMeansSha256<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse>>();
    }
    if (is_method(info, method::kBatchUpdateBlobs)) {
      return std::make_unique<
          UnsetMeansSha256<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse>>();
    }
    if (is_method(info, method::kBatchReadBlobs)) {
      return std::make_unique<
          UnsetMeansSha256<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse>>();
    }
    return nullptr;
  };
  return plan;
}

FaultPlan unsupported_not_found() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kFindMissingBlobs)) return std::make_unique<UnsupportedMissing>();
    if (is_method(info, method::kBatchReadBlobs)) return std::make_unique<UnsupportedNotRead>();
    if (is_method(info, method::kGetTree)) return std::make_unique<UnsupportedTreeNotFound>();
    return nullptr;
  };
  return plan;
}

FaultPlan separate_stream_store() {
  FaultPlan plan;
  auto blobs = std::make_shared<StreamOnlyBlobs>();
  plan.interceptor = [blobs](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kWrite)) return std::make_unique<StreamWriteRecorded>(blobs);
    if (is_method(info, method::kBatchUpdateBlobs)) {
      return std::make_unique<BatchWriteRecorded>(blobs);
    }
    if (is_method(info, method::kFindMissingBlobs)) {
      return std::make_unique<FindMissingMissesStreamed>(blobs);
    }
    if (is_method(info, method::kBatchReadBlobs)) {
      return std::make_unique<BatchReadMissesStreamed>(blobs);
    }
    return nullptr;
  };
  return plan;
}

FaultPlan instance_ignored() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kGetCapabilities)) {
      return std::make_unique<
          InstanceIgnored<v2::GetCapabilitiesRequest, v2::ServerCapabilities>>();
    }
    if (is_method(info, method::kFindMissingBlobs)) {
      return std::make_unique<
          InstanceIgnored<v2::FindMissingBlobsRequest, v2::FindMissingBlobsResponse>>();
    }
    if (is_method(info, method::kBatchUpdateBlobs)) {
      return std::make_unique<
          InstanceIgnored<v2::BatchUpdateBlobsRequest, v2::BatchUpdateBlobsResponse>>();
    }
    if (is_method(info, method::kBatchReadBlobs)) {
      return std::make_unique<
          InstanceIgnored<v2::BatchReadBlobsRequest, v2::BatchReadBlobsResponse>>();
    }
    if (is_method(info, method::kGetTree)) {
      return std::make_unique<InstanceIgnored<v2::GetTreeRequest, v2::GetTreeResponse>>();
    }
    return nullptr;
  };
  return plan;
}

FaultPlan every_call(std::function<std::unique_ptr<grpc::experimental::Interceptor>()> make) {
  FaultPlan plan;
  plan.interceptor = [make = std::move(make)](grpc::experimental::ServerRpcInfo&) {
    return make();
  };
  return plan;
}

FaultPlan resource_name_header_read_form() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kWrite)) return std::make_unique<ResourceNameHeaderReadForm>(true);
    if (is_method(info, method::kRead) || is_method(info, method::kQueryWriteStatus)) {
      return std::make_unique<ResourceNameHeaderReadForm>(false);
    }
    return nullptr;
  };
  return plan;
}

}  // namespace

std::vector<FaultEntry> common_faults() {
  return {
      {.name = "uppercase-digests-returned",
       .description = "BatchUpdateBlobs echoes each digest's hash in upper case",
       .make = [] { return intercept<UppercaseEcho>(method::kBatchUpdateBlobs); },
       .expect = {.filter = "common.hashes_lowercase_hex",
                  .fails = {"common.hashes_lowercase_hex"}}},
      {.name = "find-missing-skips-malformed",
       .description = "FindMissingBlobs skips digests whose hash it cannot parse: neither "
                      "refused nor listed missing, they look present",
       .make = [] { return intercept<SkipsMalformedHashes>(method::kFindMissingBlobs); },
       .expect = {.filter = "common.rejects_malformed_hash",
                  .fails = {"common.rejects_malformed_hash"}}},
      {.name = "negative-size-unchecked",
       .description = "FindMissingBlobs does not validate size_bytes: a negative size is "
                      "reported missing instead of refused",
       .make = [] { return intercept<NegativeSizeMissing>(method::kFindMissingBlobs); },
       .expect = {.filter = "common.rejects_negative_size",
                  .warns = {"common.rejects_negative_size"},
                  .extra_args = {"--strict"}}},
      {.name = "find-missing-assumes-sha256",
       .description = "FindMissingBlobs ignores digest_function and reads every digest as "
                      "SHA-256",
       .make = [] { return intercept<FindMissingAssumesSha256>(method::kFindMissingBlobs); },
       .expect = {.filter = "common.explicit_digest_function",
                  .fails = {"common.explicit_digest_function"}}},
      {.name = "unset-function-means-sha256",
       .description = "an unset digest_function means SHA-256 instead of the function the hash "
                      "length implies",
       .make = unset_means_sha256,
       .expect = {.filter = "common.digest_function_inferred_when_unset",
                  .warns = {"common.digest_function_inferred_when_unset"},
                  .extra_args = {"--strict"}}},
      {.name = "unsupported-function-not-found",
       .description = "digest functions are not validated: a digest no supported function "
                      "applies to is looked up and not found, instead of refused",
       .make = unsupported_not_found,
       .expect = {.filter = "common.rejects_unsupported_digest_function",
                  .warns = {"common.rejects_unsupported_digest_function"},
                  .extra_args = {"--strict"}}},
      {.name = "mixed-functions-skipped",
       .description = "with digest_function unset, FindMissingBlobs takes the function from "
                      "the first digest and skips digests of other lengths",
       .make = [] { return intercept<MixedSkipped>(method::kFindMissingBlobs); },
       .expect = {.filter = "common.mixed_digest_functions",
                  .infos = {"common.mixed_digest_functions"},
                  .exit = Expectation::Exit::zero}},
      {.name = "stream-writes-invisible-to-cas",
       .description = "ByteStream and the CAS service keep the default instance in different "
                      "stores: FindMissingBlobs and BatchReadBlobs miss blobs written by Write",
       .make = separate_stream_store,
       .expect = {.filter = "common.instance_name_consistent",
                  .fails = {"common.instance_name_consistent"}}},
      {.name = "instance-name-ignored",
       .description = "the CAS and Capabilities ignore instance_name and serve the default "
                      "instance, even for a name with a reserved segment",
       .make = instance_ignored,
       .expect = {.filter = "common.reserved_instance_segments",
                  .warns = {"common.reserved_instance_segments"},
                  .extra_args = {"--strict"}}},
      {.name = "unknown-instance-unavailable",
       .description = "an unknown instance name is answered UNAVAILABLE (no backend) instead "
                      "of being refused",
       .make =
           [] { return every_call([] { return std::make_unique<UnknownInstanceUnavailable>(); }); },
       .expect = {.filter = "common.unknown_instance_name",
                  .infos = {"common.unknown_instance_name"},
                  .exit = Expectation::Exit::zero}},
      {.name = "metadata-needs-action-id",
       .description = "a call whose RequestMetadata header has no action_id fails with "
                      "INVALID_ARGUMENT",
       .make = [] { return every_call([] { return std::make_unique<MetadataNeedsActionId>(); }); },
       .expect = {.filter = "common.request_metadata_accepted",
                  .fails = {"common.request_metadata_accepted"}}},
      {.name = "resource-name-header-read-form",
       .description = "ByteStream routes by the resource-name header as a read name: a Write "
                      "with a matching upload name in it is refused",
       .make = resource_name_header_read_form,
       .expect = {.filter = "common.resource_name_header",
                  .fails = {"common.resource_name_header"}}},
  };
}

}  // namespace faulty
