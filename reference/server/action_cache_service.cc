#include "server/action_cache_service.h"

#include <algorithm>

#include "server/call_log.h"

namespace reference {
namespace v2 = build::bazel::remote::execution::v2;

namespace {

// Inlined bytes per GetActionResult response, far below gRPC's 4 MiB default (AC-05).
constexpr std::int64_t kInlineBudget = 1 << 20;

// Calls `visit(what, digest)` for every digest an ActionResult references directly.
template <typename Visit>
absl::Status for_each_digest(const v2::ActionResult& result, Visit&& visit) {
  for (const auto& file : result.output_files()) {
    if (auto s = visit("output file '" + file.path() + "'", file.digest()); !s.ok()) return s;
  }
  for (const auto& dir : result.output_directories()) {
    if (auto s = visit("output directory '" + dir.path() + "' tree", dir.tree_digest()); !s.ok()) {
      return s;
    }
    if (dir.has_root_directory_digest()) {
      if (auto s = visit("output directory '" + dir.path() + "' root", dir.root_directory_digest());
          !s.ok()) {
        return s;
      }
    }
  }
  if (result.has_stdout_digest()) {
    if (auto s = visit(std::string("stdout"), result.stdout_digest()); !s.ok()) return s;
  }
  if (result.has_stderr_digest()) {
    if (auto s = visit(std::string("stderr"), result.stderr_digest()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

ActionCacheService::ActionCacheService(const Policy& policy, Cas& cas)
    : policy_(policy), cas_(cas) {}

grpc::ServerUnaryReactor* ActionCacheService::GetActionResult(
    grpc::CallbackServerContext* context, const v2::GetActionResultRequest* request,
    v2::ActionResult* response) {
  return finish_unary(context, "GetActionResult", get(*request, *response));
}

grpc::ServerUnaryReactor* ActionCacheService::UpdateActionResult(
    grpc::CallbackServerContext* context, const v2::UpdateActionResultRequest* request,
    v2::ActionResult* response) {
  return finish_unary(context, "UpdateActionResult", update(*request, *response));
}

absl::Status ActionCacheService::get(const v2::GetActionResultRequest& request,
                                     v2::ActionResult& result) {
  if (auto s = policy_.check_instance(request.instance_name()); !s.ok()) return s;
  if (!request.has_action_digest()) return absl::InvalidArgumentError("action_digest is required");
  const reapi::Digest action = reapi::from_proto(request.action_digest());
  auto fn = policy_.resolve(request.digest_function(), action);
  if (!fn.ok()) return fn.status();
  auto bytes = read_blob(cas_.storage(), BlobKey::action(request.instance_name(), *fn, action));
  if (!bytes.ok()) {
    if (absl::IsNotFound(bytes.status())) {
      return absl::NotFoundError("no result for action " + action.to_string());
    }
    return bytes.status();
  }
  if (!result.ParseFromString(*bytes)) {
    return absl::DataLossError("the stored result of action " + action.to_string() + " is corrupt");
  }
  if (auto s = check_complete(*fn, result); !s.ok()) return s;
  if (auto s = check_trees(*fn, result); !s.ok()) return s;
  inline_requested(*fn, request, result);
  return absl::OkStatus();
}

absl::Status ActionCacheService::check_complete(reapi::DigestFunction fn,
                                                const v2::ActionResult& result) {
  return for_each_digest(result, [&](const std::string& what, const v2::Digest& proto) {
    const reapi::Digest digest = reapi::from_proto(proto);
    if (!cas_.contains(fn, digest)) {
      return absl::NotFoundError("cached result is incomplete: the " + what + " blob " +
                                 digest.to_string() + " is no longer in the CAS");
    }
    return absl::OkStatus();
  });
}

absl::Status ActionCacheService::check_trees(reapi::DigestFunction fn,
                                             const v2::ActionResult& result) {
  // A Tree's files must be there too, or the client cannot build the directory.
  for (const auto& dir : result.output_directories()) {
    auto bytes = cas_.read(fn, reapi::from_proto(dir.tree_digest()));
    if (!bytes.ok()) return bytes.status();
    v2::Tree tree;
    if (!tree.ParseFromString(*bytes)) continue;  // not ours to judge: the client stored it
    auto check = [&](const v2::Directory& d) -> absl::Status {
      for (const auto& file : d.files()) {
        const reapi::Digest digest = reapi::from_proto(file.digest());
        if (!cas_.contains(fn, digest)) {
          return absl::NotFoundError("cached result is incomplete: file '" + file.name() +
                                     "' of output directory '" + dir.path() + "' (" +
                                     digest.to_string() + ") is no longer in the CAS");
        }
      }
      return absl::OkStatus();
    };
    if (auto s = check(tree.root()); !s.ok()) return s;
    for (const auto& child : tree.children()) {
      if (auto s = check(child); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

void ActionCacheService::inline_requested(reapi::DigestFunction fn,
                                          const v2::GetActionResultRequest& request,
                                          v2::ActionResult& result) {
  std::int64_t budget = kInlineBudget;
  auto fill = [&](const v2::Digest& digest, std::string* out) {
    if (digest.size_bytes() == 0 || digest.size_bytes() > budget) return;
    auto data = cas_.read(fn, reapi::from_proto(digest));
    if (!data.ok()) return;
    budget -= digest.size_bytes();
    *out = *std::move(data);
  };
  if (request.inline_stdout() && result.has_stdout_digest()) {
    fill(result.stdout_digest(), result.mutable_stdout_raw());
  }
  if (request.inline_stderr() && result.has_stderr_digest()) {
    fill(result.stderr_digest(), result.mutable_stderr_raw());
  }
  const auto& wanted = request.inline_output_files();
  for (auto& file : *result.mutable_output_files()) {
    if (std::find(wanted.begin(), wanted.end(), file.path()) != wanted.end()) {
      fill(file.digest(), file.mutable_contents());
    }
  }
}

absl::Status ActionCacheService::update(const v2::UpdateActionResultRequest& request,
                                        v2::ActionResult& stored) {
  if (auto s = policy_.check_instance(request.instance_name()); !s.ok()) return s;
  if (auto s = policy_.check_writable("UpdateActionResult"); !s.ok()) return s;
  if (!request.has_action_digest()) return absl::InvalidArgumentError("action_digest is required");
  if (!request.has_action_result()) return absl::InvalidArgumentError("action_result is required");
  const reapi::Digest action = reapi::from_proto(request.action_digest());
  auto fn = policy_.resolve(request.digest_function(), action);
  if (!fn.ok()) return fn.status();
  stored = request.action_result();

  // Inline data becomes CAS blobs, so stored results hold digests only (AC-03).
  auto move_to_cas = [&](std::string* raw, v2::Digest* digest) -> absl::Status {
    if (raw->empty()) return absl::OkStatus();
    const reapi::Digest d = reapi::digest_of(*fn, *raw);
    if (digest->hash().empty()) {
      *digest = reapi::to_proto(d);
    } else if (reapi::from_proto(*digest) != d) {
      return absl::InvalidArgumentError("inline data does not match its digest " +
                                        reapi::from_proto(*digest).to_string());
    }
    if (auto s = cas_.write(*fn, d, *raw); !s.ok()) return s;
    raw->clear();
    return absl::OkStatus();
  };
  if (auto s = move_to_cas(stored.mutable_stdout_raw(), stored.mutable_stdout_digest()); !s.ok()) {
    return s;
  }
  if (auto s = move_to_cas(stored.mutable_stderr_raw(), stored.mutable_stderr_digest()); !s.ok()) {
    return s;
  }
  for (auto& file : *stored.mutable_output_files()) {
    if (auto s = move_to_cas(file.mutable_contents(), file.mutable_digest()); !s.ok()) return s;
  }
  if (stored.stdout_digest().hash().empty() && stored.stdout_digest().size_bytes() == 0) {
    stored.clear_stdout_digest();
  }
  if (stored.stderr_digest().hash().empty() && stored.stderr_digest().size_bytes() == 0) {
    stored.clear_stderr_digest();
  }
  // Every digest inside must be well formed under the request's function (AC-09).
  if (auto s = for_each_digest(stored,
                               [&](const std::string& what, const v2::Digest& proto) {
                                 auto v = reapi::validate_digest(*fn, reapi::from_proto(proto));
                                 if (v.ok()) return v;
                                 return absl::InvalidArgumentError(what + ": " +
                                                                   std::string(v.message()));
                               });
      !s.ok()) {
    return s;
  }
  return write_blob(cas_.storage(), BlobKey::action(request.instance_name(), *fn, action),
                    stored.SerializeAsString());
}

}  // namespace reference
