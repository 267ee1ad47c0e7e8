// Capabilities (capabilities.md, CAP-nn): the GetCapabilities answer itself, and where a
// rule ties an advertised value to behaviour, a short test of that behaviour.

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <future>
#include <tuple>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/compression.h"
#include "reapi/digest.h"
#include "reapi/resource_name.h"

namespace conformance {

namespace {

using semver = build::bazel::semver::SemVer;

// A read-only server refuses every upload: the check cannot run there (as upload()).
void refused_upload(const grpc::Status& status, const std::string& request) {
  if (status.error_code() != grpc::StatusCode::PERMISSION_DENIED) return;
  skip_check("the server refused the upload this check needs (read-only?): " + request + " -> " +
             status_text(status));
}

// A fresh GetCapabilities answer for the run's instance; fails the check if there is none.
v2::ServerCapabilities ask(Context& ctx, std::string* request = nullptr) {
  const auto reply = get_capabilities(ctx, ctx.instance());
  require(reply.ok(), reply.request + " -> " + status_text(reply.status));
  if (request) *request = reply.request;
  return reply.response;
}

std::string function_list(const v2::CacheCapabilities& cache) {
  std::string out = "[";
  for (int i = 0; i < cache.digest_functions_size(); ++i) {
    const auto fn = reapi::digest_function_from_number(cache.digest_functions(i));
    out += (i ? ", " : "") +
           (fn ? std::string(reapi::name(*fn)) : std::to_string(cache.digest_functions(i)));
  }
  return out + "]";
}

// --- SemVer (CAP-15..17) ---

std::string text(const semver& v) {
  std::string out =
      std::to_string(v.major()) + "." + std::to_string(v.minor()) + "." + std::to_string(v.patch());
  if (!v.prerelease().empty()) out += "-" + v.prerelease();
  return out;
}

semver version(int major, int minor) {
  semver v;
  v.set_major(major);
  v.set_minor(minor);
  return v;
}

// Numbers first; at equal numbers a pre-release sorts before the release.
int compare(const semver& a, const semver& b) {
  const auto ta = std::make_tuple(a.major(), a.minor(), a.patch());
  const auto tb = std::make_tuple(b.major(), b.minor(), b.patch());
  if (ta != tb) return ta < tb ? -1 : 1;
  if (a.prerelease() == b.prerelease()) return 0;
  if (a.prerelease().empty()) return 1;
  if (b.prerelease().empty()) return -1;
  return a.prerelease() < b.prerelease() ? -1 : 1;
}

// --- a minimal cacheable action (CAP-07, CAP-14) ---

struct MiniAction {
  v2::Digest action;
  std::vector<Blob> blobs;  // Action, Command, the output file
  v2::ActionResult result;
};

MiniAction mini_action(Context& ctx) {
  v2::Command command;
  command.add_arguments("conformance-capabilities");
  command.add_arguments(ctx.uuid());
  const Blob cmd = blob_of(ctx, command.SerializeAsString());
  v2::Action action;
  *action.mutable_command_digest() = cmd.digest;
  *action.mutable_input_root_digest() = empty_blob_digest(ctx);
  const Blob act = blob_of(ctx, action.SerializeAsString());
  const Blob out = make_blob(ctx, 64);
  MiniAction m;
  m.action = act.digest;
  m.blobs = {act, cmd, out};
  v2::OutputFile* file = m.result.add_output_files();
  file->set_path("out/file");
  *file->mutable_digest() = out.digest;
  m.result.mutable_execution_metadata()->set_worker("conformance-worker");
  return m;
}

// --- CAP-01 ---
Outcome always_answers(Context& ctx) {
  return once(ctx, [&] { ask(ctx); });
}

// --- CAP-02 ---
Outcome cache_capabilities_present(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    require(caps.has_cache_capabilities(), request + " -> OK without cache_capabilities");
  });
}

// --- CAP-03 ---
// Whether the endpoint serves the Execution service at all: WaitExecution of an unknown
// operation is NOT_FOUND (or similar) where it does, UNIMPLEMENTED where it does not. A
// generic call, since the suite's protos leave the Execution service out.
grpc::Status probe_execution_service(Context& ctx) {
  grpc::GenericStub stub(ctx.session().target().channel());
  const std::string name = "conformance-probe-" + ctx.uuid();
  std::string bytes(1, '\x0a');  // WaitExecutionRequest.name: field 1, length-delimited
  bytes += static_cast<char>(name.size());
  bytes += name;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  ctx.prepare(context);
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/build.bazel.remote.execution.v2.Execution/WaitExecution",
                 grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

Outcome no_execution_on_cache_endpoint(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    if (!caps.has_execution_capabilities()) return;
    const grpc::Status probe = probe_execution_service(ctx);
    if (probe.error_code() != grpc::StatusCode::UNIMPLEMENTED) return;  // executes: n/a
    const bool enabled = caps.execution_capabilities().exec_enabled();
    require(!enabled, request +
                          " -> execution_capabilities with exec_enabled true, but "
                          "Execution.WaitExecution -> UNIMPLEMENTED: no Execution service");
    should(ctx, false,
           request +
               " -> execution_capabilities set (exec_enabled false) on an endpoint "
               "without the Execution service; a cache-only endpoint leaves it unset");
  });
}

// --- CAP-04 ---
Outcome digest_functions_listed(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const auto& list = caps.cache_capabilities().digest_functions();
    require(!list.empty(), request + " -> cache_capabilities.digest_functions is empty");
    require(std::find(list.begin(), list.end(), 0) == list.end(),
            request + " -> digest_functions " + function_list(caps.cache_capabilities()) +
                " includes UNKNOWN (0)");
  });
}

// --- CAP-05 ---
Outcome listed_functions_work(Context& ctx) {
  std::vector<reapi::DigestFunction> usable;
  std::string untested;
  for (auto f : ctx.facts().digest_functions) {
    const auto fn = reapi::digest_function_from_number(f);
    if (fn && reapi::is_hashable(*fn)) {
      usable.push_back(*fn);
    } else if (f != 0) {
      untested += (untested.empty() ? "" : ", ") +
                  (fn ? std::string(reapi::name(*fn)) : std::to_string(static_cast<int>(f)));
    }
  }
  if (ctx.facts().digest_functions.empty()) {
    return Outcome::skip("the server lists no digest function (see CAP-04)");
  }
  if (usable.empty()) {
    return Outcome::skip("none of the listed functions (" + untested +
                         ") is one this suite hashes (SHA256, SHA1, MD5, SHA384, SHA512)");
  }
  // The blob and its Directory (under 200 bytes) go up in one BatchUpdateBlobs; the blob is
  // read back alone by BatchReadBlobs: both within the batch limit.
  constexpr std::int64_t kDirectoryRoom = 256;
  const std::int64_t largest = std::min(max_blob(ctx, 4095), batch_capacity(ctx) - kDirectoryRoom);
  if (largest < 16) {
    return Outcome::skip("the batch limit of " + std::to_string(batch_capacity(ctx)) +
                         " bytes cannot hold a blob of 16 bytes (unique to this run) and its "
                         "Directory in one call");
  }
  int refused = 0;
  int no_get_tree = 0;
  Outcome outcome = property(ctx, [&] {
    const auto fn = *rc::gen::elementOf(usable);
    const auto size = *rc::gen::inRange<std::size_t>(16, static_cast<std::size_t>(largest) + 1);
    const std::string fname(reapi::name(fn));
    const auto fp = proto_of(fn);

    const Blob blob = blob_with(fn, ctx.unique_bytes(size));
    v2::Directory dir;
    v2::FileNode* file = dir.add_files();
    file->set_name("file");
    *file->mutable_digest() = blob.digest;
    const Blob dir_blob = blob_with(fn, dir.SerializeAsString());
    v2::BatchUpdateBlobsRequest up = batch_update_request(ctx, {blob, dir_blob});
    up.set_digest_function(fp);
    const auto stored = batch_update_raw(ctx, up);
    const auto denied = [](int code) { return code == grpc::StatusCode::PERMISSION_DENIED; };
    if (denied(stored.code()) || (stored.ok() && stored.response.responses_size() > 0 &&
                                  denied(stored.response.responses(0).status().code()))) {
      // A read-only server: the function must still be accepted for lookups and reads
      // (of the empty blob, which needs no upload; its presence is COM-05's business).
      const v2::Digest empty = to_v2(reapi::empty_digest(fn));
      v2::FindMissingBlobsRequest find;
      find.set_instance_name(ctx.instance());
      find.set_digest_function(fp);
      *find.add_blob_digests() = empty;
      const auto missing = find_missing_raw(ctx, find);
      require(missing.ok(), missing.request + " (" + fname + ") -> " + status_text(missing.status));
      v2::BatchReadBlobsRequest batch_read;
      batch_read.set_instance_name(ctx.instance());
      batch_read.set_digest_function(fp);
      *batch_read.add_digests() = empty;
      const auto got = batch_read_raw(ctx, batch_read);
      require(got.ok(), got.request + " (" + fname + ") -> " + status_text(got.status));
      ++refused;
      return;
    }
    require(stored.ok(), stored.request + " (" + fname + ") -> " + status_text(stored.status));
    for (const auto& r : stored.response.responses()) {
      require(r.status().code() == 0, stored.request + " (" + fname + "): entry " +
                                          brief(r.digest()) + " -> " + status_text(r.status()));
    }

    v2::FindMissingBlobsRequest find;
    find.set_instance_name(ctx.instance());
    find.set_digest_function(fp);
    *find.add_blob_digests() = blob.digest;
    *find.add_blob_digests() = dir_blob.digest;
    const auto missing = find_missing_raw(ctx, find);
    require(missing.ok() && missing.response.missing_blob_digests_size() == 0,
            missing.request + " (" + fname + ", stored just before) -> " +
                status_text(missing.status) + (missing.ok() ? ", listed missing" : ""));

    v2::BatchReadBlobsRequest batch_read;
    batch_read.set_instance_name(ctx.instance());
    batch_read.set_digest_function(fp);
    *batch_read.add_digests() = blob.digest;
    const auto got = batch_read_raw(ctx, batch_read);
    require(got.ok() && got.response.responses_size() == 1 &&
                got.response.responses(0).status().code() == 0 &&
                got.response.responses(0).data() == blob.data,
            got.request + " (" + fname + ") -> " + status_text(got.status) +
                (got.ok() && got.response.responses_size() > 0
                     ? ", entry " + status_text(got.response.responses(0).status()) + ", " +
                           first_difference(got.response.responses(0).data(), blob.data)
                     : ""));

    reapi::BlobResourceName name;
    name.instance_name = ctx.instance();
    if (!reapi::is_inferred_from_length(fn)) name.digest_function = fn;
    name.digest = reapi::from_proto(blob.digest);
    const auto bytes = read(ctx, reapi::format_read_resource_name(name));
    require(bytes.status.ok() && bytes.data == blob.data,
            bytes.request + " (" + fname + ") -> " + status_text(bytes.status) + ", " +
                first_difference(bytes.data, blob.data));

    v2::GetTreeRequest tree;
    tree.set_instance_name(ctx.instance());
    tree.set_digest_function(fp);
    *tree.mutable_root_digest() = dir_blob.digest;
    const TreeStream walk = get_tree_raw(ctx, tree, 100);
    // A server without GetTree fails cas.get_tree.full_tree for it; here it would only
    // repeat that failure under a digest-function rule.
    if (walk.status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      ++no_get_tree;
      return;
    }
    bool found = false;
    for (const auto& m : walk.messages) {
      for (const auto& d : m.directories()) {
        found |= reapi::digest_of(fn, d.SerializeAsString()) == reapi::from_proto(dir_blob.digest);
      }
    }
    require(walk.status.ok() && found,
            walk.request + " (" + fname + ") -> " + status_text(walk.status) +
                (walk.status.ok() ? ", without the root Directory" : ""));
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    if (no_get_tree > 0) {
      outcome.message =
          "GetTree answered UNIMPLEMENTED, so it was left out (see "
          "cas.get_tree.full_tree)";
    }
    if (refused > 0) {
      outcome.message += std::string(outcome.message.empty() ? "" : "; ") +
                         "uploads refused (PERMISSION_DENIED) in " + std::to_string(refused) +
                         " case(s): there only lookups and reads of the empty blob were checked";
    }
    if (!untested.empty()) {
      outcome.message += (outcome.message.empty() ? "" : "; ") +
                         std::string("not exercised (the suite cannot hash them): ") + untested;
    }
  }
  return outcome;
}

// --- CAP-06 ---
Outcome no_ambiguous_function_pair(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const auto& list = caps.cache_capabilities().digest_functions();
    const bool md5 = std::find(list.begin(), list.end(), v2::DigestFunction::MD5) != list.end();
    const bool murmur =
        std::find(list.begin(), list.end(), v2::DigestFunction::MURMUR3) != list.end();
    require(!(md5 && murmur), request + " -> digest_functions " +
                                  function_list(caps.cache_capabilities()) +
                                  " lists both MD5 and MURMUR3: a 32-hex hash with the field "
                                  "unset cannot be resolved");
  });
}

// --- CAP-07 ---
Outcome update_flag_truthful(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const bool enabled =
        caps.cache_capabilities().action_cache_update_capabilities().update_enabled();
    const MiniAction m = mini_action(ctx);
    if (enabled) {
      upload(ctx, m.blobs);
    } else {
      batch_update(ctx, m.blobs);  // may well be refused too
    }
    const auto up = update_action_result(ctx, m.action, m.result);
    if (enabled) {
      require(up.ok(), request + " -> update_enabled true, but " + up.request +
                           " (Action, Command and output uploaded) -> " + status_text(up.status));
    } else {
      require(!up.ok(), request + " -> update_enabled false, but " + up.request + " -> OK");
    }
  });
}

// --- CAP-08 ---
Outcome writable_for_bazel(Context& ctx) {
  const auto reply = get_capabilities(ctx, ctx.instance());
  if (!reply.ok()) return Outcome::fail(reply.request + " -> " + status_text(reply.status));
  if (!reply.response.cache_capabilities().action_cache_update_capabilities().update_enabled()) {
    // MUST only for a cache meant for Bazel with default flags, which the suite cannot tell.
    return Outcome::fail(reply.request +
                             " -> update_enabled false: Bazel with its default "
                             "--remote_upload_local_results refuses this cache",
                         Level::should);
  }
  return Outcome::pass();
}

// --- CAP-09 ---
Outcome batch_limit_valid(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const auto limit = caps.cache_capabilities().max_batch_total_size_bytes();
    require(limit >= 0,
            request + " -> max_batch_total_size_bytes " + std::to_string(limit) + ", negative");
  });
}

// --- CAP-10 ---
Outcome batch_limit_fits_transport(Context& ctx) {
  const std::int64_t limit = ctx.facts().max_batch_total_size_bytes;
  if (limit <= 0) {
    return Outcome::skip(
        "no max_batch_total_size_bytes advertised: clients assume gRPC's "
        "default 4 MiB message limit");
  }
  const std::int64_t client_limit = ctx.session().target().max_message_size();
  if (limit + (64 << 10) > client_limit) {
    return Outcome::skip("the advertised limit of " + std::to_string(limit) +
                         " bytes does not fit this client's message limit of " +
                         std::to_string(client_limit) + " bytes (--max-message-size)");
  }
  return once(ctx, [&] {
    // Blobs adding up to exactly the limit, at most 1 MiB each.
    std::vector<Blob> blobs;
    for (std::int64_t left = limit; left > 0; left -= std::min<std::int64_t>(left, kMiB)) {
      blobs.push_back(make_blob(ctx, std::min<std::int64_t>(left, kMiB)));
    }
    const auto reply = batch_update(ctx, blobs);
    require(reply.code() != grpc::StatusCode::RESOURCE_EXHAUSTED,
            reply.request + " (exactly the advertised " + std::to_string(limit) + " bytes) -> " +
                status_text(reply.status) +
                ": the gRPC receive limit leaves no room for the message framing");
  });
}

// --- CAP-11 ---
Outcome symlink_strategy_set(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const int strategy = caps.cache_capabilities().symlink_absolute_path_strategy();
    require(strategy == v2::SymlinkAbsolutePathStrategy::DISALLOWED ||
                strategy == v2::SymlinkAbsolutePathStrategy::ALLOWED,
            request + " -> symlink_absolute_path_strategy " + std::to_string(strategy) +
                ", expected DISALLOWED (1) or ALLOWED (2)");
  });
}

// --- CAP-12 ---
Outcome compressors_usable(Context& ctx) {
  const auto& listed = ctx.facts().compressors;
  const bool zstd = ctx.facts().advertises_compressor(v2::Compressor::ZSTD);
  std::string untested;
  for (auto c : listed) {
    if (c == v2::Compressor::IDENTITY || c == v2::Compressor::ZSTD) continue;
    const auto known = reapi::compressor_from_number(c);
    untested += (untested.empty() ? "" : ", ") +
                (known ? std::string(reapi::name(*known)) : std::to_string(static_cast<int>(c)));
  }
  const bool identity_listed = ctx.facts().advertises_compressor(v2::Compressor::IDENTITY);
  if (!zstd) {
    if (!untested.empty()) {
      return Outcome::skip("listed compressors (" + untested +
                           ") are ones this suite cannot "
                           "produce; it checks zstd");
    }
    if (identity_listed) {
      return Outcome::fail(
          "supported_compressors lists IDENTITY, which is implied and need not "
          "be listed",
          Level::should);
    }
    return Outcome::pass("no compressor listed (IDENTITY is implied)");
  }
  Outcome outcome = property(ctx, [&] {
    should(ctx, !identity_listed,
           "supported_compressors lists IDENTITY, which is implied and need not be listed");
    const auto size =
        *rc::gen::inRange<std::int64_t>(16, std::max<std::int64_t>(max_blob(ctx, 256 << 10), 17));
    const bool written_compressed = *rc::gen::arbitrary<bool>();
    const Blob blob = make_blob(ctx, size, true);
    if (written_compressed) {
      const std::string name = upload_name(ctx, blob.digest, reapi::Compressor::zstd);
      const auto w = write(ctx, name, reapi::zstd_compress(blob.data));
      refused_upload(w.status, w.request);
      require(w.status.ok(), w.request + " (zstd, advertised) -> " + status_text(w.status));
    } else {
      upload(ctx, {blob});
    }
    const auto r = read(ctx, read_name(ctx, blob.digest, reapi::Compressor::zstd));
    require(r.status.ok(), r.request + " (zstd, advertised) -> " + status_text(r.status));
    const auto plain = reapi::zstd_decompress(r.data, size);
    require(plain.ok() && *plain == blob.data,
            r.request + " -> " + std::to_string(r.data.size()) + " bytes that " +
                (plain.ok() ? "decompress to other data: " + first_difference(*plain, blob.data)
                            : "are not zstd: " + std::string(plain.status().message())));
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty() && !untested.empty()) {
    outcome.message = "not exercised (the suite cannot produce them): " + untested;
  }
  return outcome;
}

// --- CAP-13 ---
Outcome batch_compressors_usable(Context& ctx) {
  if (!ctx.facts().advertises_batch_compressor(v2::Compressor::ZSTD)) {
    std::string others;
    for (auto c : ctx.facts().batch_update_compressors) {
      if (c != v2::Compressor::IDENTITY) others += (others.empty() ? "" : ", ") + std::to_string(c);
    }
    if (others.empty()) return Outcome::pass("no batch compressor listed");
    return Outcome::skip("listed batch compressors (" + others +
                         ") are ones this suite cannot produce; it checks zstd");
  }
  // One blob per call: within the batch limit as well as the blob limit.
  const std::int64_t largest = max_batch_blob(ctx, 256 << 10);
  return property(ctx, [&] {
    const auto size = *rc::gen::inRange<std::int64_t>(16, std::max<std::int64_t>(largest, 17));
    const Blob blob = make_blob(ctx, size, true);
    v2::BatchUpdateBlobsRequest request = batch_update_request(ctx, {blob});
    request.mutable_requests(0)->set_compressor(v2::Compressor::ZSTD);
    request.mutable_requests(0)->set_data(reapi::zstd_compress(blob.data));
    const auto up = batch_update_raw(ctx, request);
    refused_upload(up.status, up.request);
    require(up.ok(), up.request + " (zstd entry, advertised) -> " + status_text(up.status));
    require(up.response.responses_size() == 1 && up.response.responses(0).status().code() == 0,
            up.request + " (zstd entry, advertised) -> entry " +
                (up.response.responses_size() > 0 ? status_text(up.response.responses(0).status())
                                                  : std::string("missing")));
    const auto got = batch_read(ctx, {blob.digest});
    require(got.ok() && got.response.responses_size() == 1 &&
                got.response.responses(0).status().code() == 0 &&
                got.response.responses(0).data() == blob.data,
            got.request + " after a zstd upload -> " + status_text(got.status) +
                (got.ok() && got.response.responses_size() > 0
                     ? ", entry " + status_text(got.response.responses(0).status()) + ", " +
                           first_difference(got.response.responses(0).data(), blob.data)
                     : ""));
  });
}

// --- CAP-14 ---
Outcome priority_ranges_well_formed(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const auto& ranges = caps.cache_capabilities().cache_priority_capabilities().priorities();
    for (const auto& r : ranges) {
      require(r.min_priority() <= r.max_priority(),
              request + " -> priority range [" + std::to_string(r.min_priority()) + ", " +
                  std::to_string(r.max_priority()) + "] has min above max");
    }
    if (ranges.empty() ||
        !caps.cache_capabilities().action_cache_update_capabilities().update_enabled()) {
      return;
    }
    for (const auto& r : ranges) {
      const MiniAction m = mini_action(ctx);
      upload(ctx, m.blobs);
      v2::UpdateActionResultRequest update;
      update.set_instance_name(ctx.instance());
      update.set_digest_function(ctx.function_proto());
      *update.mutable_action_digest() = m.action;
      *update.mutable_action_result() = m.result;
      update.mutable_results_cache_policy()->set_priority(r.max_priority());
      const auto up = update_action_result_raw(ctx, update);
      require(up.ok(), up.request + " (priority " + std::to_string(r.max_priority()) +
                           ", inside an advertised range) -> " + status_text(up.status));
    }
  });
}

// --- CAP-15 ---
Outcome api_version_range(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    require(caps.has_low_api_version() && caps.has_high_api_version(),
            request + " -> low_api_version " +
                (caps.has_low_api_version() ? text(caps.low_api_version()) : "unset") +
                ", high_api_version " +
                (caps.has_high_api_version() ? text(caps.high_api_version()) : "unset") +
                "; clients read an unset version as 0.0.0 and refuse the server");
    const semver& low = caps.low_api_version();
    const semver& high = caps.high_api_version();
    require(low.major() == 2 && high.major() == 2, request + " -> API versions " + text(low) +
                                                       " .. " + text(high) +
                                                       ", expected major version 2 for both");
    require(compare(low, high) <= 0,
            request + " -> low_api_version " + text(low) + " above high " + text(high));
    if (caps.has_deprecated_api_version()) {
      require(compare(caps.deprecated_api_version(), low) <= 0,
              request + " -> deprecated_api_version " + text(caps.deprecated_api_version()) +
                  " above low_api_version " + text(low));
    }
    should(ctx, compare(low, version(2, 0)) <= 0,
           request + " -> low_api_version " + text(low) +
               " is above 2.0.0: older v2 clients will refuse the server");
  });
}

// --- CAP-16 ---
Outcome high_version_matches_features(Context& ctx) {
  std::string note;
  Outcome outcome = once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const semver& high = caps.high_api_version();
    note = "claims " + text(caps.low_api_version()) + " .. " + text(high);
    // Since 2.2 the empty blob is always available, to look up and to read: a claim of
    // 2.2+ must honour it.
    if (compare(high, version(2, 2)) >= 0) {
      const std::string claim = request + " -> high_api_version " + text(high) + ", but ";
      const v2::Digest empty = empty_blob_digest(ctx);
      const auto missing = find_missing(ctx, {empty});
      should(ctx, missing.ok() && missing.response.missing_blob_digests_size() == 0,
             claim + missing.request + " -> " + status_text(missing.status) +
                 (missing.ok() ? ", lists the empty blob missing (always present since 2.2)" : ""));
      const auto got = batch_read(ctx, {empty});
      should(ctx,
             got.ok() && got.response.responses_size() == 1 &&
                 got.response.responses(0).status().code() == 0 &&
                 got.response.responses(0).data().empty(),
             claim + got.request + " -> " + status_text(got.status) +
                 (got.ok() && got.response.responses_size() == 1
                      ? ", entry " + status_text(got.response.responses(0).status())
                      : "") +
                 ": the empty blob (always present since 2.2) does not read as OK and empty");
      const auto bytes = read(ctx, read_name(ctx, empty));
      should(ctx, bytes.status.ok() && bytes.data.empty(),
             claim + bytes.request + " -> " + status_text(bytes.status) + " with " +
                 std::to_string(bytes.data.size()) +
                 " bytes: the empty blob (always present since 2.2) does not read as nothing");
    }
    // The other direction is informative: features newer than the version claimed.
    const auto& list = caps.cache_capabilities().digest_functions();
    auto lists = [&](v2::DigestFunction::Value f) {
      return std::find(list.begin(), list.end(), f) != list.end();
    };
    if (compare(high, version(2, 5)) < 0) {
      note += "; the suite's requests carry digest_function (2.5+)";
      if (lists(v2::DigestFunction::SHA256TREE) || lists(v2::DigestFunction::BLAKE3)) {
        note += ", and SHA256TREE/BLAKE3 (2.5+) are listed";
      }
    }
    const auto& cache = caps.cache_capabilities();
    if (compare(high, version(2, 12)) < 0 &&
        (lists(v2::DigestFunction::GITSHA1) || cache.max_cas_blob_size_bytes() > 0 ||
         cache.split_blob_support() || cache.splice_blob_support())) {
      note += "; advertises 2.12 features (GITSHA1, max_cas_blob_size_bytes or split/splice)";
    }
  });
  if (outcome.verdict == Outcome::Verdict::passed) outcome.message = note;
  return outcome;
}

// --- CAP-17 ---
Outcome semver_form(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    auto check = [&](const char* field, bool present, const semver& v) {
      if (!present) return;
      require(
          v.prerelease().empty() || (v.major() == 0 && v.minor() == 0 && v.patch() == 0),
          request + " -> " + field + " " + text(v) + " mixes major/minor/patch with prerelease");
    };
    check("deprecated_api_version", caps.has_deprecated_api_version(),
          caps.deprecated_api_version());
    check("low_api_version", caps.has_low_api_version(), caps.low_api_version());
    check("high_api_version", caps.has_high_api_version(), caps.high_api_version());
  });
}

// --- CAP-18 ---
Outcome max_blob_size_valid(Context& ctx) {
  std::string note;
  Outcome outcome = once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const std::int64_t limit = caps.cache_capabilities().max_cas_blob_size_bytes();
    require(limit >= 0,
            request + " -> max_cas_blob_size_bytes " + std::to_string(limit) + ", negative");
    if (limit == 0) {
      note = "no per-blob limit advertised";
      return;
    }
    if (limit > 8 * kMiB) {
      note = "limit " + std::to_string(limit) + " too large to exercise here";
      return;
    }
    const Blob blob = make_blob(ctx, limit + 1);
    const auto w = write(ctx, upload_name(ctx, blob.digest), blob.data);
    refused_upload(w.status, w.request);
    require(!w.status.ok(), w.request + " (one byte over max_cas_blob_size_bytes " +
                                std::to_string(limit) + ") -> OK");
    require(w.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT,
            w.request + " (one byte over max_cas_blob_size_bytes " + std::to_string(limit) +
                ") -> " + status_text(w.status) + ", expected INVALID_ARGUMENT");
  });
  if (outcome.verdict == Outcome::Verdict::passed) outcome.message = note;
  return outcome;
}

// --- CAP-19 ---
Outcome split_splice_flags_truthful(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const v2::Digest empty = empty_blob_digest(ctx);  // always stored, no write needed

    v2::SplitBlobRequest split;
    split.set_instance_name(ctx.instance());
    split.set_digest_function(ctx.function_proto());
    *split.mutable_blob_digest() = empty;
    v2::SplitBlobResponse split_response;
    grpc::ClientContext split_context;
    ctx.prepare(split_context);
    const grpc::Status s = ctx.cas().SplitBlob(&split_context, split, &split_response);
    const std::string split_text = "SplitBlob " + brief(split) + " -> " + status_text(s);
    if (caps.cache_capabilities().split_blob_support()) {
      require(s.error_code() != grpc::StatusCode::UNIMPLEMENTED,
              request + " -> split_blob_support true, but " + split_text);
    } else {
      require(!s.ok(), request + " -> split_blob_support false, but " + split_text + " with " +
                           std::to_string(split_response.chunk_digests_size()) + " chunk(s)");
    }

    v2::SpliceBlobRequest splice;
    splice.set_instance_name(ctx.instance());
    splice.set_digest_function(ctx.function_proto());
    *splice.mutable_blob_digest() = empty;
    *splice.add_chunk_digests() = empty;
    v2::SpliceBlobResponse splice_response;
    grpc::ClientContext splice_context;
    ctx.prepare(splice_context);
    const grpc::Status p = ctx.cas().SpliceBlob(&splice_context, splice, &splice_response);
    const std::string splice_text = "SpliceBlob " + brief(splice) + " -> " + status_text(p);
    if (caps.cache_capabilities().splice_blob_support()) {
      require(p.error_code() != grpc::StatusCode::UNIMPLEMENTED,
              request + " -> splice_blob_support true, but " + splice_text);
    } else {
      require(!p.ok(), request + " -> splice_blob_support false, but " + splice_text);
    }
  });
}

// --- CAP-20 ---
Outcome chunking_params_in_range(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto caps = ask(ctx, &request);
    const auto& cache = caps.cache_capabilities();
    if (cache.has_fast_cdc_2020_params()) {
      const auto avg = cache.fast_cdc_2020_params().avg_chunk_size_bytes();
      require(avg >= 1024 && avg <= 1024 * 1024,
              request + " -> fast_cdc_2020_params.avg_chunk_size_bytes " + std::to_string(avg) +
                  ", outside 1 KiB .. 1 MiB");
    }
    if (cache.has_rep_max_cdc_params()) {
      const auto min = cache.rep_max_cdc_params().min_chunk_size_bytes();
      require(min >= 64, request + " -> rep_max_cdc_params.min_chunk_size_bytes " +
                             std::to_string(min) + ", below 64");
    }
  });
}

// --- CAP-22 ---
Outcome stable(Context& ctx) {
  return once(ctx, [&] {
    std::string request;
    const auto first = ask(ctx, &request);
    // The lists (digest functions, compressors, priority ranges) are sets to a client: the
    // same answer may list them in another order (e.g. built from a hash map).
    google::protobuf::util::MessageDifferencer differencer;
    differencer.set_repeated_field_comparison(google::protobuf::util::MessageDifferencer::AS_SET);
    const auto same_answer = [&](const v2::ServerCapabilities& a, const v2::ServerCapabilities& b) {
      return differencer.Compare(a, b);
    };
    if (ctx.facts().status.ok()) {
      require(same_answer(first, ctx.facts().raw),
              request + " -> " + brief(first) +
                  ", not what it answered at the start of the run: " + brief(ctx.facts().raw));
    }
    for (int i = 0; i < 2; ++i) {
      const auto again = ask(ctx);
      require(same_answer(first, again),
              request + " asked again -> " + brief(again) + ", not the same as " + brief(first));
    }
  });
}

}  // namespace

void add_capabilities_checks(Catalogue& catalogue) {
  catalogue.add({"capabilities.always_answers", "CAP-01", Level::must,
                 "GetCapabilities answers OK for the instance served"},
                always_answers);
  catalogue.add({"capabilities.cache_capabilities_present", "CAP-02", Level::must,
                 "The answer carries cache_capabilities"},
                cache_capabilities_present);
  catalogue.add({"capabilities.no_execution_on_cache_endpoint", "CAP-03", Level::should,
                 "An endpoint without the Execution service leaves execution_capabilities unset "
                 "(never exec_enabled true)"},
                no_execution_on_cache_endpoint);
  catalogue.add({"capabilities.digest_functions_listed", "CAP-04", Level::must,
                 "digest_functions is non-empty and never lists UNKNOWN"},
                digest_functions_listed);
  catalogue.add({"capabilities.listed_functions_work", "CAP-05", Level::must,
                 "Every listed digest function works for upload, FindMissingBlobs, reads and "
                 "GetTree"},
                listed_functions_work);
  catalogue.add({"capabilities.no_ambiguous_function_pair", "CAP-06", Level::should,
                 "digest_functions does not list both MD5 and MURMUR3"},
                no_ambiguous_function_pair);
  catalogue.add({"capabilities.update_flag_truthful", "CAP-07", Level::must,
                 "update_enabled is true exactly when UpdateActionResult is accepted"},
                update_flag_truthful);
  catalogue.add({"capabilities.writable_for_bazel", "CAP-08", Level::must,
                 "A cache meant for Bazel with default flags advertises update_enabled true"},
                writable_for_bazel);
  catalogue.add({"capabilities.batch_limit_valid", "CAP-09", Level::must,
                 "max_batch_total_size_bytes is 0 (no limit) or positive"},
                batch_limit_valid);
  catalogue.add({"capabilities.batch_limit_fits_transport", "CAP-10", Level::should,
                 "A batch of exactly max_batch_total_size_bytes fits the server's gRPC receive "
                 "limit"},
                batch_limit_fits_transport);
  catalogue.add({"capabilities.symlink_strategy_set", "CAP-11", Level::should,
                 "symlink_absolute_path_strategy is DISALLOWED or ALLOWED, not UNKNOWN"},
                symlink_strategy_set);
  catalogue.add({"capabilities.compressors_usable", "CAP-12", Level::must,
                 "Every listed ByteStream compressor works for compressed-blobs writes and reads "
                 "(IDENTITY need not be listed)"},
                compressors_usable);
  catalogue.add({"capabilities.batch_compressors_usable", "CAP-13", Level::must,
                 "Every listed batch-update compressor is accepted in BatchUpdateBlobs entries"},
                batch_compressors_usable);
  catalogue.add({"capabilities.priority_ranges_well_formed", "CAP-14", Level::should,
                 "Every cache priority range has min <= max, and priorities inside one are "
                 "accepted"},
                priority_ranges_well_formed);
  catalogue.add({"capabilities.api_version_range", "CAP-15", Level::must,
                 "low and high API versions are set, major 2, low <= high, deprecated <= low"},
                api_version_range);
  catalogue.add({"capabilities.high_version_matches_features", "CAP-16", Level::should,
                 "The claimed high_api_version does not promise features the server lacks"},
                high_version_matches_features);
  catalogue.add({"capabilities.semver_form", "CAP-17", Level::must,
                 "Each SemVer is either major/minor/patch or prerelease only, never both"},
                semver_form);
  catalogue.add({"capabilities.max_blob_size_valid", "CAP-18", Level::should,
                 "max_cas_blob_size_bytes is 0 (no limit) or positive, and uploads above it are "
                 "refused with INVALID_ARGUMENT"},
                max_blob_size_valid);
  catalogue.add({"capabilities.split_splice_flags_truthful", "CAP-19", Level::must,
                 "split_blob_support / splice_blob_support are true exactly when SplitBlob / "
                 "SpliceBlob are implemented"},
                split_splice_flags_truthful);
  catalogue.add({"capabilities.chunking_params_in_range", "CAP-20", Level::must,
                 "Advertised FastCDC / RepMaxCDC parameters are within their documented ranges"},
                chunking_params_in_range);
  catalogue.not_checkable({"capabilities.per_instance_answers", "CAP-21", Level::may,
                           "Each instance may advertise its own capabilities"},
                          "a freedom, not an obligation: nothing a server answers can violate "
                          "it; the suite already adapts every check to the capabilities of the "
                          "instance it targets");
  catalogue.add({"capabilities.stable", "CAP-22", Level::should,
                 "Repeated GetCapabilities calls give the same answer during a run"},
                stable);
}

}  // namespace conformance
