// Capabilities answers that are wrong in themselves (missing or malformed fields), or that
// promise what the services behind them do not do: a digest function GetTree cannot read,
// compressors the CAS refuses, a 2.2 feature missing, answers that change between calls.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "google/bytestream/bytestream.pb.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;
using Capabilities = v2::ServerCapabilities;

// Applies one edit to every GetCapabilities answer.
class EditCapabilities final : public CallRewriter<v2::GetCapabilitiesRequest, Capabilities> {
 public:
  using Edit = std::function<void(Capabilities&)>;
  explicit EditCapabilities(Edit edit) : edit_(std::move(edit)) {}

 private:
  bool on_response(Capabilities& capabilities) override {
    edit_(capabilities);
    return true;
  }

  Edit edit_;
};

FaultPlan edit_capabilities(EditCapabilities::Edit edit) {
  FaultPlan plan;
  plan.interceptor = per_call<EditCapabilities>(method::kGetCapabilities, std::move(edit));
  return plan;
}

v2::CacheCapabilities& cache(Capabilities& capabilities) {
  return *capabilities.mutable_cache_capabilities();
}

// Per-instance capabilities looked up in a table the default (empty) instance name was
// never added to, while every other service serves that instance.
class DefaultInstanceUnknown final : public CallRewriter<v2::GetCapabilitiesRequest, Capabilities> {
  void on_request(v2::GetCapabilitiesRequest& request) override {
    unknown_ = request.instance_name().empty();
  }
  bool on_status(grpc::Status& status) override {
    if (!unknown_) return false;
    status = grpc::Status(grpc::StatusCode::NOT_FOUND, "no capabilities for instance ''");
    return true;
  }

  bool unknown_ = false;
};

// ByteStream without compressed-blobs support: such names are refused as malformed. The
// name is blanked before the service sees it, so nothing is read or stored.
bool is_compressed_name(const std::string& name) {
  return name.find("compressed-blobs/") != std::string::npos;
}

grpc::Status unsupported_name() {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "unsupported resource name: expected blobs/ or uploads/");
}

class ReadWithoutCompression final
    : public CallRewriter<google::bytestream::ReadRequest, google::bytestream::ReadResponse> {
  void on_request(google::bytestream::ReadRequest& request) override {
    refused_ = is_compressed_name(request.resource_name());
    if (refused_) request.clear_resource_name();
  }
  bool on_status(grpc::Status& status) override {
    if (refused_) status = unsupported_name();
    return refused_;
  }

  bool refused_ = false;
};

class WriteWithoutCompression final
    : public CallRewriter<google::bytestream::WriteRequest, google::bytestream::WriteResponse> {
  void on_request(google::bytestream::WriteRequest& request) override {
    if (!first_) return;  // only the first message names the resource
    first_ = false;
    refused_ = is_compressed_name(request.resource_name());
    if (refused_) request.clear_resource_name();
  }
  bool on_status(grpc::Status& status) override {
    if (refused_) status = unsupported_name();
    return refused_;
  }

  bool first_ = true;
  bool refused_ = false;
};

FaultPlan compressed_names_unsupported() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kRead)) return std::make_unique<ReadWithoutCompression>();
    if (is_method(info, method::kWrite)) return std::make_unique<WriteWithoutCompression>();
    return nullptr;
  };
  return plan;
}

// Two replicas behind one address answer in turn; the second was deployed without zstd.
FaultPlan replicas_disagree() {
  auto calls = std::make_shared<std::atomic<unsigned>>(0);
  return edit_capabilities([calls](Capabilities& capabilities) {
    if (calls->fetch_add(1) % 2 == 0) return;
    cache(capabilities).clear_supported_compressors();
    cache(capabilities).clear_supported_batch_update_compressors();
  });
}

Expectation strict(Expectation e) {
  e.extra_args.push_back("--strict");
  return e;
}

// SplitBlob/SpliceBlob answer UNIMPLEMENTED while GetCapabilities advertises them, as on a
// server whose CAS backend lacks the handlers.
template <class Request, class Response>
class Unimplemented final : public CallRewriter<Request, Response> {
  bool on_status(grpc::Status& status) override {
    status = grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "");
    return true;
  }
};

FaultPlan split_splice_unbacked() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (is_method(info, method::kSplitBlob))
      return std::make_unique<Unimplemented<v2::SplitBlobRequest, v2::SplitBlobResponse>>();
    if (is_method(info, method::kSpliceBlob))
      return std::make_unique<Unimplemented<v2::SpliceBlobRequest, v2::SpliceBlobResponse>>();
    return nullptr;
  };
  return plan;
}

}  // namespace

std::vector<FaultEntry> capabilities_faults() {
  return {
      {.name = "capabilities-default-instance-unknown",
       .description = "GetCapabilities answers NOT_FOUND for the default (empty) instance name, "
                      "which the other services serve",
       .make = [] { return intercept<DefaultInstanceUnknown>(method::kGetCapabilities); },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.always_answers"}}},
      {.name = "capabilities-no-cache-capabilities",
       .description = "GetCapabilities answers with the API versions only, no cache_capabilities",
       .make =
           [] { return edit_capabilities([](Capabilities& c) { c.clear_cache_capabilities(); }); },
       .expect = {.filter = "capabilities.*",
                  .fails = {"capabilities.cache_capabilities_present"}}},
      {.name = "capabilities-exec-enabled",
       .description = "GetCapabilities of the cache-only endpoint advertises execution "
                      "(exec_enabled true), which answers UNIMPLEMENTED",
       .make =
           [] {
             return edit_capabilities([](Capabilities& c) {
               c.mutable_execution_capabilities()->set_digest_function(v2::DigestFunction::SHA256);
               c.mutable_execution_capabilities()->set_exec_enabled(true);
             });
           },
       .expect = strict(
           {.filter = "capabilities.*", .warns = {"capabilities.no_execution_on_cache_endpoint"}})},
      {.name = "capabilities-no-digest-functions",
       .description = "GetCapabilities lists no cache digest functions",
       .make =
           [] {
             return edit_capabilities([](Capabilities& c) { cache(c).clear_digest_functions(); });
           },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.digest_functions_listed"}}},
      {.name = "capabilities-md5-and-murmur3",
       .description = "GetCapabilities lists MURMUR3 beside MD5 (both 32 hex characters)",
       .make =
           [] {
             return edit_capabilities([](Capabilities& c) {
               cache(c).add_digest_functions(v2::DigestFunction::MURMUR3);
             });
           },
       .expect = strict(
           {.filter = "capabilities.*", .warns = {"capabilities.no_ambiguous_function_pair"}})},
      {.name = "capabilities-update-disabled",
       .description = "GetCapabilities advertises update_enabled false, though "
                      "UpdateActionResult stores results",
       .make =
           [] {
             return edit_capabilities([](Capabilities& c) {
               cache(c).mutable_action_cache_update_capabilities()->set_update_enabled(false);
             });
           },
       .expect = {.filter = "capabilities.*,action_cache.update_matches_capability",
                  .fails = {"capabilities.update_flag_truthful",
                            "action_cache.update_matches_capability"},
                  .warns = {"capabilities.writable_for_bazel"}}},
      {.name = "capabilities-negative-batch-limit",
       .description = "GetCapabilities advertises max_batch_total_size_bytes -1 for 'no limit'",
       .make =
           [] {
             return edit_capabilities(
                 [](Capabilities& c) { cache(c).set_max_batch_total_size_bytes(-1); });
           },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.batch_limit_valid"}}},
      {.name = "batch-limit-is-receive-limit",
       .description = "GetCapabilities advertises its whole gRPC receive limit (16 MiB) as "
                      "max_batch_total_size_bytes, leaving no room for message framing",
       .make =
           [] {
             return edit_capabilities(
                 [](Capabilities& c) { cache(c).set_max_batch_total_size_bytes(16 << 20); });
           },
       // The client must be able to send a batch that large for the server to refuse it.
       .expect = strict({.filter = "capabilities.batch_limit_fits_transport",
                         .warns = {"capabilities.batch_limit_fits_transport"},
                         .extra_args = {"--max-message-size", "32MiB"}})},
      {.name = "capabilities-symlink-strategy-unset",
       .description = "GetCapabilities leaves symlink_absolute_path_strategy UNKNOWN",
       .make =
           [] {
             return edit_capabilities(
                 [](Capabilities& c) { cache(c).clear_symlink_absolute_path_strategy(); });
           },
       .expect =
           strict({.filter = "capabilities.*", .warns = {"capabilities.symlink_strategy_set"}})},
      {.name = "compressed-names-unsupported",
       .description = "ByteStream refuses compressed-blobs names, though GetCapabilities lists "
                      "ZSTD in supported_compressors",
       .make = compressed_names_unsupported,
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.compressors_usable"}}},
      {.name = "capabilities-priority-range-reversed",
       .description = "GetCapabilities advertises the cache priority range [10, 1] (bounds "
                      "swapped)",
       .make =
           [] {
             return edit_capabilities([](Capabilities& c) {
               auto* range = cache(c).mutable_cache_priority_capabilities()->add_priorities();
               range->set_min_priority(10);
               range->set_max_priority(1);
             });
           },
       .expect = strict(
           {.filter = "capabilities.*", .warns = {"capabilities.priority_ranges_well_formed"}})},
      {.name = "capabilities-low-version-unset",
       .description = "GetCapabilities sets high_api_version only, leaving low_api_version unset",
       .make = [] { return edit_capabilities([](Capabilities& c) { c.clear_low_api_version(); }); },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.api_version_range"}}},
      {.name = "capabilities-version-mixes-prerelease",
       .description = "GetCapabilities claims high_api_version 2.11.0 with prerelease 'rc2' "
                      "(numbers and prerelease together)",
       .make =
           [] {
             return edit_capabilities([](Capabilities& c) {
               auto* high = c.mutable_high_api_version();
               high->set_minor(11);
               high->set_prerelease("rc2");
             });
           },
       .expect = {.filter = "capabilities.*", .fails = {"capabilities.semver_form"}}},
      {.name = "split-splice-unbacked",
       .description = "GetCapabilities advertises SplitBlob/SpliceBlob, which answer UNIMPLEMENTED",
       .make = split_splice_unbacked,
       .expect = {.filter = "capabilities.*,cas.split.*",
                  .fails = {"capabilities.split_splice_flags_truthful"}}},
      {.name = "capabilities-replicas-disagree",
       .description = "GetCapabilities is answered by two replicas in turn, one deployed "
                      "without zstd",
       .make = replicas_disagree,
       .expect = strict({.filter = "capabilities.*", .warns = {"capabilities.stable"}})},
  };
}

}  // namespace faulty
