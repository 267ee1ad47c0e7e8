// ActionCache faults: results altered or served when they should not be, inline data
// filled wrongly, writes refused against the capabilities, wrong status codes, the
// request's digest_function ignored, cache priorities refused.

#include <grpcpp/support/status.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "fault_plan.h"
#include "reapi/digest.h"
#include "server/cas.h"
#include "server/policy.h"
#include "server/server_config.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;
using GetRewriter = CallRewriter<v2::GetActionResultRequest, v2::ActionResult>;
using UpdateRewriter = CallRewriter<v2::UpdateActionResultRequest, v2::ActionResult>;
using Interceptor = std::unique_ptr<grpc::experimental::Interceptor>;

// What the server's CAS holds, for faults whose bug depends on it: the storage the server
// runs on (handed over by the plan as the server starts) and the policy it resolves digest
// functions with (the faulty server runs the default configuration).
class ServerView {
 public:
  ServerView() : policy_(*reference::Policy::create(reference::ServerConfig{})) {}
  void attach(reference::Storage& storage) { cas_.emplace(storage); }

  // The function `digest` is meant with in a request naming `requested`; nullopt when the
  // server would refuse the digest (the fault leaves that case to it).
  std::optional<reapi::DigestFunction> function(int requested, const v2::Digest& digest) const {
    auto fn = policy_.resolve(requested, reapi::from_proto(digest));
    return fn.ok() ? std::optional(*fn) : std::nullopt;
  }
  bool well_formed(reapi::DigestFunction fn, const v2::Digest& digest) const {
    return reapi::validate_digest(fn, reapi::from_proto(digest)).ok();
  }
  bool holds(reapi::DigestFunction fn, const v2::Digest& digest) {
    return cas_->contains(fn, reapi::from_proto(digest));
  }
  absl::StatusOr<std::string> read(reapi::DigestFunction fn, const v2::Digest& digest) {
    return cas_->read(fn, reapi::from_proto(digest));
  }

 private:
  reference::Policy policy_;
  std::optional<reference::Cas> cas_;
};

// A plan whose interceptors (made by `make`) see the server's CAS through one ServerView.
FaultPlan with_view(
    const std::function<FaultPlan::MakeInterceptor(std::shared_ptr<ServerView>)>& make) {
  auto view = std::make_shared<ServerView>();
  FaultPlan plan;
  plan.wrap_storage = [view](std::unique_ptr<reference::Storage> storage) {
    view->attach(*storage);
    return storage;
  };
  plan.interceptor = make(view);
  return plan;
}

// Calls `visit(digest)` for every digest an ActionResult references directly.
template <class Visit>
void for_each_reference(const v2::ActionResult& result, Visit&& visit) {
  for (const auto& file : result.output_files()) visit(file.digest());
  for (const auto& dir : result.output_directories()) visit(dir.tree_digest());
  if (result.has_stdout_digest()) visit(result.stdout_digest());
  if (result.has_stderr_digest()) visit(result.stderr_digest());
}

// Base of the UpdateActionResult faults that refuse some updates themselves: a refused
// request reaches the service without its action_digest, so nothing is stored, and the
// status the fault chose goes out instead of the service's.
class RefusingUpdate : public UpdateRewriter {
 protected:
  virtual std::optional<grpc::Status> refuse(const v2::UpdateActionResultRequest& request) = 0;

 private:
  void on_request(v2::UpdateActionResultRequest& request) final {
    refusal_ = refuse(request);
    if (refusal_) request.clear_action_digest();
  }
  bool on_status(grpc::Status& status) final {
    if (refusal_) status = *refusal_;
    return refusal_.has_value();
  }

  std::optional<grpc::Status> refusal_;
};

// --- AC-03: a normalisation that loses outputs ---

// Meant to move inline stdout/stderr to the CAS, it drops the digest whenever no inline
// bytes came with it.
class NormaliseDropsLogs final : public UpdateRewriter {
  void on_request(v2::UpdateActionResultRequest& request) override {
    if (!request.has_action_result()) return;  // mutable_ would add an empty one
    v2::ActionResult& result = *request.mutable_action_result();
    if (result.stdout_raw().empty()) result.clear_stdout_digest();
    if (result.stderr_raw().empty()) result.clear_stderr_digest();
  }
};

// --- AC-04: hits served with blobs missing ---

// GetActionResult without its completeness check. The service does check, so each update
// keeps the references to blobs the CAS lacks out of its sight (in this table) and the
// answers of both methods get them back.
class HiddenReferences {
 public:
  static std::string key(const std::string& instance, const v2::Digest& action) {
    return instance + "/" + action.hash() + "/" + std::to_string(action.size_bytes());
  }
  void set(const std::string& key, v2::ActionResult hidden) {
    std::lock_guard lock(mutex_);
    table_[key] = std::move(hidden);
  }
  v2::ActionResult get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = table_.find(key);
    return it == table_.end() ? v2::ActionResult() : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, v2::ActionResult> table_;
};

// Adds the hidden references back; true when there were any.
bool restore(const v2::ActionResult& hidden, v2::ActionResult& result) {
  if (hidden.ByteSizeLong() == 0) return false;
  for (const auto& file : hidden.output_files()) *result.add_output_files() = file;
  for (const auto& dir : hidden.output_directories()) *result.add_output_directories() = dir;
  if (hidden.has_stdout_digest()) *result.mutable_stdout_digest() = hidden.stdout_digest();
  if (hidden.has_stderr_digest()) *result.mutable_stderr_digest() = hidden.stderr_digest();
  return true;
}

class UpdateHidingMissing final : public UpdateRewriter {
 public:
  UpdateHidingMissing(std::shared_ptr<ServerView> view, std::shared_ptr<HiddenReferences> table)
      : view_(std::move(view)), table_(std::move(table)) {}

 private:
  void on_request(v2::UpdateActionResultRequest& request) override {
    key_ = HiddenReferences::key(request.instance_name(), request.action_digest());
    const auto fn = view_->function(request.digest_function(), request.action_digest());
    if (!fn || !request.has_action_result()) return;
    const auto missing = [&](const v2::Digest& d) {
      return view_->well_formed(*fn, d) && !view_->holds(*fn, d);
    };
    v2::ActionResult& result = *request.mutable_action_result();
    auto* files = result.mutable_output_files();
    for (int i = files->size() - 1; i >= 0; --i) {
      if (!missing(files->Get(i).digest())) continue;
      *hidden_.add_output_files() = files->Get(i);
      files->DeleteSubrange(i, 1);
    }
    auto* dirs = result.mutable_output_directories();
    for (int i = dirs->size() - 1; i >= 0; --i) {
      if (!missing(dirs->Get(i).tree_digest())) continue;
      *hidden_.add_output_directories() = dirs->Get(i);
      dirs->DeleteSubrange(i, 1);
    }
    if (result.has_stdout_digest() && missing(result.stdout_digest())) {
      *hidden_.mutable_stdout_digest() = result.stdout_digest();
      result.clear_stdout_digest();
    }
    if (result.has_stderr_digest() && missing(result.stderr_digest())) {
      *hidden_.mutable_stderr_digest() = result.stderr_digest();
      result.clear_stderr_digest();
    }
  }
  bool on_response(v2::ActionResult& stored) override { return restore(hidden_, stored); }
  bool on_status(grpc::Status& status) override {
    if (status.ok()) table_->set(key_, hidden_);  // a later complete result clears it
    return false;
  }

  std::shared_ptr<ServerView> view_;
  std::shared_ptr<HiddenReferences> table_;
  std::string key_;
  v2::ActionResult hidden_;
};

class GetRestoringMissing final : public GetRewriter {
 public:
  explicit GetRestoringMissing(std::shared_ptr<HiddenReferences> table)
      : table_(std::move(table)) {}

 private:
  void on_request(v2::GetActionResultRequest& request) override {
    key_ = HiddenReferences::key(request.instance_name(), request.action_digest());
  }
  bool on_response(v2::ActionResult& result) override { return restore(table_->get(key_), result); }

  std::shared_ptr<HiddenReferences> table_;
  std::string key_;
};

FaultPlan serves_incomplete_results() {
  auto table = std::make_shared<HiddenReferences>();
  return with_view([table](std::shared_ptr<ServerView> view) {
    return [view, table](grpc::experimental::ServerRpcInfo& info) -> Interceptor {
      if (is_method(info, method::kUpdateActionResult)) {
        return std::make_unique<UpdateHidingMissing>(view, table);
      }
      if (is_method(info, method::kGetActionResult)) {
        return std::make_unique<GetRestoringMissing>(table);
      }
      return nullptr;
    };
  });
}

// --- AC-05 / AC-06: inline data ---

// Inlines stdout, stderr and output files from the CAS: `Scope::all` whether asked or not
// (up to 1 MiB in all, as the reference budgets), `Scope::asked` what the request asks
// for with no size budget at all.
class Inliner final : public GetRewriter {
 public:
  enum class Scope { all, asked };
  Inliner(std::shared_ptr<ServerView> view, Scope scope) : view_(std::move(view)), scope_(scope) {}

 private:
  void on_request(v2::GetActionResultRequest& request) override {
    fn_ = view_->function(request.digest_function(), request.action_digest());
    request_ = request;
  }
  bool on_response(v2::ActionResult& result) override {
    if (!fn_) return false;
    const bool all = scope_ == Scope::all;
    std::int64_t budget = all ? 1 << 20 : INT64_MAX;
    bool changed = false;
    auto fill = [&](bool asked, const v2::Digest& digest, std::string* out) {
      if (!(all || asked) || !out->empty()) return;
      if (digest.size_bytes() <= 0 || digest.size_bytes() > budget) return;
      auto data = view_->read(*fn_, digest);
      if (!data.ok()) return;
      budget -= digest.size_bytes();
      *out = *std::move(data);
      changed = true;
    };
    if (result.has_stdout_digest()) {
      fill(request_.inline_stdout(), result.stdout_digest(), result.mutable_stdout_raw());
    }
    if (result.has_stderr_digest()) {
      fill(request_.inline_stderr(), result.stderr_digest(), result.mutable_stderr_raw());
    }
    const auto& wanted = request_.inline_output_files();
    for (auto& file : *result.mutable_output_files()) {
      const bool asked = std::find(wanted.begin(), wanted.end(), file.path()) != wanted.end();
      fill(asked, file.digest(), file.mutable_contents());
    }
    return changed;
  }

  std::shared_ptr<ServerView> view_;
  Scope scope_;
  std::optional<reapi::DigestFunction> fn_;
  v2::GetActionResultRequest request_;
};

FaultPlan inlining(Inliner::Scope scope) {
  return with_view([scope](std::shared_ptr<ServerView> view) {
    return [view, scope](grpc::experimental::ServerRpcInfo& info) -> Interceptor {
      if (!is_method(info, method::kGetActionResult)) return nullptr;
      return std::make_unique<Inliner>(view, scope);
    };
  });
}

// The two inline log fields mixed up: stdout's bytes go out as stderr_raw and back.
class SwappedLogs final : public GetRewriter {
  bool on_response(v2::ActionResult& result) override {
    if (result.stdout_raw().empty() && result.stderr_raw().empty()) return false;
    result.mutable_stdout_raw()->swap(*result.mutable_stderr_raw());
    return true;
  }
};

// --- AC-07: writes refused though advertised ---

class ReadOnlyActionCache final : public RefusingUpdate {
  std::optional<grpc::Status> refuse(const v2::UpdateActionResultRequest&) override {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "the ActionCache is read-only");
  }
};

// --- AC-08: a precondition check with the wrong code ---

// Checks that the Action, its Command and every blob the result references are in the
// CAS, as allowed, but reports a missing one as NOT_FOUND instead of FAILED_PRECONDITION.
class MissingInputsNotFound final : public RefusingUpdate {
 public:
  explicit MissingInputsNotFound(std::shared_ptr<ServerView> view) : view_(std::move(view)) {}

 private:
  std::optional<grpc::Status> refuse(const v2::UpdateActionResultRequest& request) override {
    const auto fn = view_->function(request.digest_function(), request.action_digest());
    if (!fn) return std::nullopt;  // malformed: the service's INVALID_ARGUMENT stands
    std::string missing;
    const auto check = [&](const std::string& what, const v2::Digest& digest) {
      if (missing.empty() && view_->well_formed(*fn, digest) && !view_->holds(*fn, digest)) {
        missing = what + " " + digest.hash() + "/" + std::to_string(digest.size_bytes());
      }
    };
    check("Action", request.action_digest());
    if (missing.empty()) {
      v2::Action action;
      const auto bytes = view_->read(*fn, request.action_digest());
      if (bytes.ok() && action.ParseFromString(*bytes)) {
        check("Command", action.command_digest());
      }
    }
    for_each_reference(request.action_result(),
                       [&](const v2::Digest& digest) { check("output", digest); });
    if (missing.empty()) return std::nullopt;
    return grpc::Status(grpc::StatusCode::NOT_FOUND, missing + " not found in the CAS");
  }

  std::shared_ptr<ServerView> view_;
};

FaultPlan precondition_not_found() {
  return with_view([](std::shared_ptr<ServerView> view) {
    return [view](grpc::experimental::ServerRpcInfo& info) -> Interceptor {
      if (!is_method(info, method::kUpdateActionResult)) return nullptr;
      return std::make_unique<MissingInputsNotFound>(view);
    };
  });
}

// --- AC-09 / AC-11: wrong codes for bad arguments ---

bool invalid_argument_to(grpc::Status& status, grpc::StatusCode code) {
  if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) return false;
  status = grpc::Status(code, status.error_message(), status.error_details());
  return true;
}

// Reads the spec's one named UpdateActionResult error as the code for every bad request.
class InvalidUpdateAsPrecondition final : public UpdateRewriter {
  bool on_status(grpc::Status& status) override {
    return invalid_argument_to(status, grpc::StatusCode::FAILED_PRECONDITION);
  }
};

// Looks a malformed digest up like any other: a miss.
class MalformedLookupMisses final : public GetRewriter {
  bool on_status(grpc::Status& status) override {
    return invalid_argument_to(status, grpc::StatusCode::NOT_FOUND);
  }
};

// --- AC-12: digest_function ignored ---

template <class Request, class Response>
class AssumesSha256 final : public CallRewriter<Request, Response> {
  void on_request(Request& request) override {
    request.set_digest_function(v2::DigestFunction::SHA256);
  }
};

FaultPlan action_cache_assumes_sha256() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info) -> Interceptor {
    if (is_method(info, method::kGetActionResult)) {
      return std::make_unique<AssumesSha256<v2::GetActionResultRequest, v2::ActionResult>>();
    }
    if (is_method(info, method::kUpdateActionResult)) {
      return std::make_unique<AssumesSha256<v2::UpdateActionResultRequest, v2::ActionResult>>();
    }
    return nullptr;
  };
  return plan;
}

// --- AC-14 / CAP-14: priorities advertised, not supported ---

class AdvertisesPriorities final
    : public CallRewriter<v2::GetCapabilitiesRequest, v2::ServerCapabilities> {
  bool on_response(v2::ServerCapabilities& capabilities) override {
    auto* range = capabilities.mutable_cache_capabilities()
                      ->mutable_cache_priority_capabilities()
                      ->add_priorities();
    range->set_min_priority(1);
    range->set_max_priority(10);
    return true;
  }
};

class PriorityRefused final : public RefusingUpdate {
  std::optional<grpc::Status> refuse(const v2::UpdateActionResultRequest& request) override {
    if (request.results_cache_policy().priority() == 0) return std::nullopt;
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "results_cache_policy.priority is not supported");
  }
};

FaultPlan priorities_unsupported() {
  FaultPlan plan;
  plan.interceptor = [](grpc::experimental::ServerRpcInfo& info) -> Interceptor {
    if (is_method(info, method::kGetCapabilities)) return std::make_unique<AdvertisesPriorities>();
    if (is_method(info, method::kUpdateActionResult)) return std::make_unique<PriorityRefused>();
    return nullptr;
  };
  return plan;
}

Expectation strict(Expectation e) {
  e.extra_args.push_back("--strict");
  return e;
}

}  // namespace

std::vector<FaultEntry> action_cache_faults() {
  return {
      {.name = "ac-normalise-drops-logs",
       .description = "UpdateActionResult drops stdout_digest/stderr_digest that come without "
                      "inline bytes (a normalisation gone wrong)",
       .make = [] { return intercept<NormaliseDropsLogs>(method::kUpdateActionResult); },
       .expect = {.filter = "action_cache.*",
                  .fails = {"action_cache.normalised_result_equivalent",
                            "action_cache.store_then_fetch"}}},
      {.name = "ac-serves-incomplete-results",
       .description = "GetActionResult serves results whose referenced blobs are not in the CAS",
       .make = serves_incomplete_results,
       .expect = strict(
           {.filter = "action_cache.*", .warns = {"action_cache.referenced_blobs_available"}})},
      {.name = "ac-inlines-unasked",
       .description = "GetActionResult inlines stdout, stderr and output files whether or not "
                      "the request asks",
       .make = [] { return inlining(Inliner::Scope::all); },
       .expect =
           strict({.filter = "action_cache.*", .warns = {"action_cache.inline_only_on_request"}})},
      {.name = "ac-inlines-past-message-limit",
       .description = "GetActionResult inlines whatever is asked for, however large (an 8 MiB "
                      "stdout overflows the 4 MiB message limit)",
       .make = [] { return inlining(Inliner::Scope::asked); },
       .expect = {.filter = "action_cache.*", .fails = {"action_cache.inline_only_on_request"}}},
      {.name = "ac-swapped-inline-logs",
       .description = "GetActionResult sends inlined stdout as stderr_raw and stderr as "
                      "stdout_raw",
       .make = [] { return intercept<SwappedLogs>(method::kGetActionResult); },
       .expect = {.filter = "action_cache.*", .fails = {"action_cache.inlined_data_correct"}}},
      {.name = "ac-read-only-advertised-writable",
       .description = "UpdateActionResult refuses every write (PERMISSION_DENIED), while "
                      "GetCapabilities advertises update_enabled true",
       .make = [] { return intercept<ReadOnlyActionCache>(method::kUpdateActionResult); },
       .expect = {.filter =
                      "capabilities.update_flag_truthful,action_cache.update_matches_capability",
                  .fails = {"capabilities.update_flag_truthful",
                            "action_cache.update_matches_capability"}}},
      {.name = "ac-precondition-not-found",
       .description = "UpdateActionResult refuses a missing Action, Command or output with "
                      "NOT_FOUND instead of FAILED_PRECONDITION",
       .make = precondition_not_found,
       .expect = {.filter = "action_cache.*", .fails = {"action_cache.precondition_codes"}}},
      {.name = "ac-invalid-update-as-precondition",
       .description = "UpdateActionResult reports every invalid argument as FAILED_PRECONDITION",
       .make = [] { return intercept<InvalidUpdateAsPrecondition>(method::kUpdateActionResult); },
       .expect = {.filter = "action_cache.*", .fails = {"action_cache.rejects_invalid_update"}}},
      {.name = "ac-malformed-lookup-misses",
       .description = "GetActionResult answers a malformed action digest with NOT_FOUND",
       .make = [] { return intercept<MalformedLookupMisses>(method::kGetActionResult); },
       .expect = strict(
           {.filter = "action_cache.*", .warns = {"action_cache.rejects_malformed_lookup"}})},
      {.name = "ac-assumes-sha256",
       .description = "The ActionCache ignores digest_function and reads every action digest "
                      "as SHA-256",
       .make = action_cache_assumes_sha256,
       .expect =
           strict({.filter = "action_cache.*", .warns = {"action_cache.digest_function_field"}})},
      {.name = "ac-priorities-unsupported",
       .description = "GetCapabilities advertises cache priorities 1..10, but "
                      "UpdateActionResult refuses any non-zero priority",
       .make = priorities_unsupported,
       .expect = strict({.filter = "capabilities.priority_ranges_well_formed,action_cache.*",
                         .warns = {"capabilities.priority_ranges_well_formed",
                                   "action_cache.accepts_cache_priority"}})},
  };
}

}  // namespace faulty
