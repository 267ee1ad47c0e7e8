// ActionCache (action-cache.md, AC-nn). Results stored by the suite always reference blobs
// it uploaded first (with the Action and its Command), under action digests unique to the
// run; every check that writes is skipped when the server advertises update_enabled false.

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <vector>

#include "checks/families.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/digest.h"

namespace conformance {

namespace {

const char* const kNoUpdates =
    "the server advertises action_cache_update_capabilities.update_enabled = false";

// --- fixtures ---

struct ResultShape {
  std::vector<int> file_sizes;  // output files
  bool directory = false;       // an output directory (a Tree with two files)
  bool symlink = false;
  bool with_stdout = false;
  bool with_stderr = false;
  int exit_code = 0;
};

void showValue(const ResultShape& s, std::ostream& os) {
  os << s.file_sizes.size() << " output file(s) [";
  for (std::size_t i = 0; i < s.file_sizes.size(); ++i) os << (i ? " " : "") << s.file_sizes[i];
  os << "]" << (s.directory ? ", a directory" : "") << (s.symlink ? ", a symlink" : "")
     << (s.with_stdout ? ", stdout" : "") << (s.with_stderr ? ", stderr" : "") << ", exit code "
     << s.exit_code;
}

// Output files of up to 4 KiB, within max_cas_blob_size_bytes (a larger one may be refused).
rc::Gen<ResultShape> gen_result_shape(const Context& ctx) {
  const int largest = static_cast<int>(std::max<std::int64_t>(max_blob(ctx, 4096), 17));
  return rc::gen::exec([largest] {
    ResultShape s;
    const int files = *rc::gen::inRange(0, 4);
    for (int i = 0; i < files; ++i) {
      s.file_sizes.push_back(*rc::gen::weightedOneOf<int>(
          {{1, rc::gen::just(0)}, {5, rc::gen::inRange(16, largest)}}));
    }
    s.directory = *rc::gen::arbitrary<bool>();
    s.symlink = *rc::gen::arbitrary<bool>();
    s.with_stdout = *rc::gen::arbitrary<bool>();
    s.with_stderr = *rc::gen::arbitrary<bool>();
    s.exit_code = *rc::gen::weightedOneOf<int>(
        {{2, rc::gen::just(0)}, {2, rc::gen::inRange(1, 256)}, {1, rc::gen::just(-1)}});
    return s;
  });
}

// An Action (with its Command) unique to the run, and a result for it whose every
// referenced blob is in `blobs`.
struct Fixture {
  reapi::DigestFunction function = reapi::DigestFunction::sha256;
  v2::Digest action;
  Blob action_blob;
  Blob command_blob;
  v2::ActionResult result;
  std::vector<Blob> outputs;                   // output, Tree and stdout/stderr blobs
  std::map<std::string, std::string> content;  // output path -> bytes
  std::string stdout_data, stderr_data;

  std::vector<Blob> blobs() const {
    std::vector<Blob> all{action_blob, command_blob};
    all.insert(all.end(), outputs.begin(), outputs.end());
    return all;
  }
};

void set_action(Context& ctx, Fixture& f) {
  v2::Command command;
  command.add_arguments("conformance-action");
  command.add_arguments(ctx.uuid());
  command.add_output_paths("out");
  f.command_blob = blob_with(f.function, command.SerializeAsString());
  v2::Action action;
  *action.mutable_command_digest() = f.command_blob.digest;
  *action.mutable_input_root_digest() = to_v2(reapi::empty_digest(f.function));
  f.action_blob = blob_with(f.function, action.SerializeAsString());
  f.action = f.action_blob.digest;
}

Fixture make_fixture(Context& ctx, const ResultShape& s,
                     std::optional<reapi::DigestFunction> fn = {}) {
  Fixture f;
  f.function = fn.value_or(ctx.function());
  set_action(ctx, f);
  auto add_blob = [&](std::string data) {
    Blob b = blob_with(f.function, std::move(data));
    f.outputs.push_back(b);
    return b;
  };
  v2::ActionResult& r = f.result;
  for (std::size_t i = 0; i < s.file_sizes.size(); ++i) {
    const std::string path = "out/file" + std::to_string(i);
    const Blob b = add_blob(ctx.unique_bytes(static_cast<std::size_t>(s.file_sizes[i])));
    v2::OutputFile* file = r.add_output_files();
    file->set_path(path);
    *file->mutable_digest() = b.digest;
    file->set_is_executable(i % 2 == 1);
    f.content[path] = b.data;
  }
  if (s.directory) {
    v2::Tree tree;
    v2::Directory sub;
    v2::FileNode* b = sub.add_files();
    b->set_name("b");
    *b->mutable_digest() = add_blob(ctx.unique_bytes(40)).digest;
    *tree.add_children() = sub;
    v2::FileNode* a = tree.mutable_root()->add_files();
    a->set_name("a");
    *a->mutable_digest() = add_blob(ctx.unique_bytes(24)).digest;
    v2::DirectoryNode* node = tree.mutable_root()->add_directories();
    node->set_name("sub");
    *node->mutable_digest() = add_blob(sub.SerializeAsString()).digest;
    v2::OutputDirectory* dir = r.add_output_directories();
    dir->set_path("out/dir");
    *dir->mutable_tree_digest() = add_blob(tree.SerializeAsString()).digest;
  }
  if (s.symlink) {
    v2::OutputSymlink* link = r.add_output_symlinks();
    link->set_path("out/link");
    link->set_target("file0");
  }
  if (s.with_stdout) {
    f.stdout_data = ctx.unique_text(200);
    *r.mutable_stdout_digest() = add_blob(f.stdout_data).digest;
  }
  if (s.with_stderr) {
    f.stderr_data = ctx.unique_text(120);
    *r.mutable_stderr_digest() = add_blob(f.stderr_data).digest;
  }
  r.set_exit_code(s.exit_code);
  r.mutable_execution_metadata()->set_worker("conformance-worker");
  return f;
}

// --- comparing results (AC-02, with what AC-03 lets a server change ignored) ---

std::string digest_text(const v2::Digest& d) { return brief(d); }

std::map<std::string, std::string> symlinks_of(const v2::ActionResult& r) {
  std::map<std::string, std::string> out;
  for (const auto& l : r.output_symlinks()) out[l.path()] = l.target();
  return out;
}

// Why `got` is not equivalent to `want`, or empty: output lists compared as maps by path;
// inline bytes and execution metadata other than the worker are ignored.
std::string difference(const v2::ActionResult& want, const v2::ActionResult& got) {
  if (want.exit_code() != got.exit_code()) {
    return "exit_code " + std::to_string(got.exit_code()) + " instead of " +
           std::to_string(want.exit_code());
  }
  std::map<std::string, const v2::OutputFile*> want_files, got_files;
  for (const auto& f : want.output_files()) want_files[f.path()] = &f;
  for (const auto& f : got.output_files()) got_files[f.path()] = &f;
  for (const auto& [path, w] : want_files) {
    const auto it = got_files.find(path);
    if (it == got_files.end()) return "output file '" + path + "' is missing";
    if (!same(it->second->digest(), w->digest())) {
      return "output file '" + path + "' has digest " + digest_text(it->second->digest()) +
             " instead of " + digest_text(w->digest());
    }
    if (it->second->is_executable() != w->is_executable()) {
      return "output file '" + path + "' has is_executable " +
             (it->second->is_executable() ? "true" : "false");
    }
  }
  if (got_files.size() != want_files.size()) {
    return std::to_string(got_files.size()) + " output files instead of " +
           std::to_string(want_files.size());
  }
  std::map<std::string, v2::Digest> want_dirs, got_dirs;
  for (const auto& d : want.output_directories()) want_dirs[d.path()] = d.tree_digest();
  for (const auto& d : got.output_directories()) got_dirs[d.path()] = d.tree_digest();
  for (const auto& [path, tree] : want_dirs) {
    const auto it = got_dirs.find(path);
    if (it == got_dirs.end()) return "output directory '" + path + "' is missing";
    if (!same(it->second, tree)) {
      return "output directory '" + path + "' has tree_digest " + digest_text(it->second) +
             " instead of " + digest_text(tree);
    }
  }
  if (got_dirs.size() != want_dirs.size()) {
    return std::to_string(got_dirs.size()) + " output directories instead of " +
           std::to_string(want_dirs.size());
  }
  if (symlinks_of(want) != symlinks_of(got)) return "the output symlinks differ";
  auto same_optional = [](bool want_has, const v2::Digest& w, bool got_has, const v2::Digest& g) {
    if (want_has) return got_has && same(w, g);
    return !got_has || g.size_bytes() == 0;
  };
  if (!same_optional(want.has_stdout_digest(), want.stdout_digest(), got.has_stdout_digest(),
                     got.stdout_digest())) {
    return "stdout_digest " + digest_text(got.stdout_digest()) + " instead of " +
           digest_text(want.stdout_digest());
  }
  if (!same_optional(want.has_stderr_digest(), want.stderr_digest(), got.has_stderr_digest(),
                     got.stderr_digest())) {
    return "stderr_digest " + digest_text(got.stderr_digest()) + " instead of " +
           digest_text(want.stderr_digest());
  }
  const std::string& worker = want.execution_metadata().worker();
  if (!worker.empty() && got.execution_metadata().worker() != worker) {
    return "execution_metadata.worker '" + got.execution_metadata().worker() + "' instead of '" +
           worker + "'";
  }
  return {};
}

bool is_empty_result(const v2::ActionResult& r) { return r.ByteSizeLong() == 0; }

// Stores `f` (blobs first) and requires OK; returns the reply.
Reply<v2::ActionResult> store(Context& ctx, const Fixture& f) {
  upload(ctx, f.blobs(), f.function);
  auto reply = update_action_result(ctx, f.action, f.result);
  require(reply.ok(), reply.request + " (Action, Command and every referenced blob uploaded) -> " +
                          status_text(reply.status));
  return reply;
}

// --- malformed digests (AC-09, AC-11) ---

const std::vector<std::string> kMalformedKinds{"xyz", "hash one char short", "uppercase hash",
                                               "non-hex character", "negative size"};

v2::Digest malformed_digest(Context& ctx, const std::string& kind) {
  v2::Digest d = to_v2(ctx.digest_of(ctx.unique_bytes(32)));
  std::string hash = d.hash();
  if (kind == "xyz") {
    d.set_hash("xyz");
    d.set_size_bytes(3);
  } else if (kind == "hash one char short") {
    d.set_hash(hash.substr(0, hash.size() - 1));
  } else if (kind == "uppercase hash") {
    std::string upper = hash;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == hash) upper[0] = 'A';
    d.set_hash(upper);
  } else if (kind == "non-hex character") {
    hash[hash.size() / 2] = 'g';
    d.set_hash(hash);
  } else {
    d.set_size_bytes(-1);
  }
  return d;
}

// --- AC-01 ---
Outcome miss_not_found(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *rc::gen::inRange<std::int64_t>(1, 100000);
    const bool inline_stdout = *rc::gen::arbitrary<bool>();
    const auto reply = get_action_result(ctx, absent(ctx, size), inline_stdout, inline_stdout);
    require(
        reply.code() == grpc::StatusCode::NOT_FOUND,
        reply.request + " (never stored) -> " + status_text(reply.status) + ", expected NOT_FOUND");
  });
}

// --- AC-02 ---
Outcome store_then_fetch(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  return property(ctx, [&] {
    const Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    const auto up = store(ctx, f);
    if (is_empty_result(up.response)) {
      should(ctx, false,
             up.request + " -> OK with an empty ActionResult, not the result as stored (D4)");
    } else {
      const std::string diff = difference(f.result, up.response);
      require(diff.empty(), up.request +
                                " -> OK, but the ActionResult it returns differs from "
                                "the one sent: " +
                                diff);
    }
    const auto got = get_action_result(ctx, f.action);
    require(got.ok(), got.request + " (stored just before) -> " + status_text(got.status));
    const std::string diff = difference(f.result, got.response);
    require(diff.empty(), got.request + " (stored just before) -> OK, but " + diff);
  });
}

// --- AC-03 ---
Outcome normalised_result_equivalent(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  int unchanged = 0, altered = 0;
  Outcome outcome = property(ctx, [&] {
    Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    // Metadata a server may fill or rewrite (AC-03); only the worker is compared.
    auto* meta = f.result.mutable_execution_metadata();
    const auto seconds = *rc::gen::inRange<std::int64_t>(1600000000, 1900000000);
    meta->mutable_queued_timestamp()->set_seconds(seconds);
    meta->mutable_worker_start_timestamp()->set_seconds(seconds + 1);
    meta->mutable_execution_start_timestamp()->set_seconds(seconds + 2);
    meta->mutable_execution_completed_timestamp()->set_seconds(seconds + 3);
    meta->mutable_worker_completed_timestamp()->set_seconds(seconds + 4);
    meta->mutable_virtual_execution_duration()->set_seconds(1);
    upload(ctx, f.blobs(), f.function);
    const auto up = update_action_result(ctx, f.action, f.result);
    require_at(ctx, Level::must, up.ok(), up.request + " -> " + status_text(up.status));
    const auto got = get_action_result(ctx, f.action);
    require_at(ctx, Level::must, got.ok(),
               got.request + " (stored just before) -> " + status_text(got.status));
    std::string diff = difference(f.result, got.response);
    require_at(ctx, Level::must, diff.empty(),
               got.request + " -> OK, but the stored result is not equivalent: " + diff);
    if (!is_empty_result(up.response)) {
      diff = difference(up.response, got.response);
      require_at(
          ctx, Level::must, diff.empty(),
          up.request + " returned one form of the result and " + got.request + " another: " + diff);
    }
    ++(google::protobuf::util::MessageDifferencer::Equals(f.result, got.response) ? unchanged
                                                                                  : altered);
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = "results came back unchanged in " + std::to_string(unchanged) +
                      " case(s), normalised (equivalent) in " + std::to_string(altered);
  }
  return outcome;
}

// --- AC-04 ---
Outcome referenced_blobs_available(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  return property(ctx, [&] {
    // A normal hit: everything it references is present.
    const Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    store(ctx, f);
    const auto got = get_action_result(ctx, f.action);
    require(got.ok(), got.request + " (stored just before) -> " + status_text(got.status));
    std::vector<v2::Digest> referenced;
    for (const Blob& b : f.outputs) referenced.push_back(b.digest);
    if (!referenced.empty()) {
      const auto missing = find_missing(ctx, referenced);
      require(missing.ok(), missing.request + " -> " + status_text(missing.status));
      const auto& listed = missing.response.missing_blob_digests();
      require(listed.empty(), missing.request + " (blobs the hit " + got.request +
                                  " references) lists " +
                                  (listed.empty() ? std::string() : brief(listed[0])) + " missing");
    }
    // A result referencing a blob nobody uploaded: a miss is expected (D1).
    const std::string where = *rc::gen::elementOf(
        std::vector<std::string>{"output file", "stdout", "output directory tree"});
    ResultShape shape = *gen_result_shape(ctx);
    Fixture broken = make_fixture(ctx, shape);
    const v2::Digest gone = absent(ctx, 100);
    if (where == "output file") {
      v2::OutputFile* file = broken.result.add_output_files();
      file->set_path("out/never-uploaded");
      *file->mutable_digest() = gone;
    } else if (where == "stdout") {
      *broken.result.mutable_stdout_digest() = gone;
    } else {
      v2::OutputDirectory* dir = broken.result.add_output_directories();
      dir->set_path("out/never-uploaded");
      *dir->mutable_tree_digest() = gone;
    }
    upload(ctx, broken.blobs(), broken.function);
    const auto up = update_action_result(ctx, broken.action, broken.result);
    if (!up.ok()) return;  // refused up front (AC-08 judges the code)
    const auto hit = get_action_result(ctx, broken.action);
    require(hit.code() == grpc::StatusCode::NOT_FOUND,
            hit.request + " -> " + status_text(hit.status) + " for a result whose " + where + " " +
                brief(gone) + " was never uploaded; expected NOT_FOUND (a miss)");
  });
}

// --- AC-05 ---
Outcome inline_only_on_request(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  // Inlining 8 MiB would exceed the 4 MiB message limit: the server must not (MUST part).
  // Not testable on a server whose max_cas_blob_size_bytes refuses such a stdout blob.
  const std::int64_t blob_limit = ctx.facts().max_cas_blob_size_bytes;
  const bool big_storable = blob_limit <= 0 || blob_limit >= (8 << 20);
  Outcome big = !big_storable ? Outcome::pass("") : once(ctx, [&] {
    Fixture f = make_fixture(ctx, ResultShape{});
    f.stdout_data = ctx.unique_bytes(8 << 20);
    const Blob out = blob_with(f.function, f.stdout_data);
    f.outputs.push_back(out);
    *f.result.mutable_stdout_digest() = out.digest;
    store(ctx, f);
    const auto got = get_action_result(ctx, f.action, true, false);
    // An inlined 8 MiB stdout cannot fit: this client's 4 MiB limit refuses the response.
    const bool over_limit = got.code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                            (got.ok() && got.response.stdout_raw().size() >= (4u << 20));
    require_at(ctx, Level::must, !over_limit,
               got.request + " with inline_stdout for an 8 MiB stdout -> " +
                   status_text(got.status) +
                   "; inlining must be left out when it would exceed message limits");
    require(got.ok(), got.request + " (stored just before) -> " + status_text(got.status));
    require(got.response.stdout_raw().empty(),
            got.request + " with inline_stdout for an 8 MiB stdout -> OK with " +
                std::to_string(got.response.stdout_raw().size()) +
                " bytes of stdout_raw; expected none (too large to inline)");
  });
  if (big.verdict != Outcome::Verdict::passed) return big;
  return property(ctx, [&] {
    const Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    store(ctx, f);
    const bool want_stdout = *rc::gen::arbitrary<bool>();
    const bool want_stderr = *rc::gen::arbitrary<bool>();
    std::vector<std::string> want_files;
    for (const auto& file : f.result.output_files()) {
      if (*rc::gen::arbitrary<bool>()) want_files.push_back(file.path());
    }
    const auto got = get_action_result(ctx, f.action, want_stdout, want_stderr, want_files);
    require(got.ok(), got.request + " (stored just before) -> " + status_text(got.status));
    require(want_stdout || got.response.stdout_raw().empty(),
            got.request + " -> stdout_raw holds " +
                std::to_string(got.response.stdout_raw().size()) + " bytes, not asked for");
    require(want_stderr || got.response.stderr_raw().empty(),
            got.request + " -> stderr_raw holds " +
                std::to_string(got.response.stderr_raw().size()) + " bytes, not asked for");
    for (const auto& file : got.response.output_files()) {
      const bool asked =
          std::find(want_files.begin(), want_files.end(), file.path()) != want_files.end();
      require(asked || file.contents().empty(),
              got.request + " -> output file '" + file.path() + "' carries " +
                  std::to_string(file.contents().size()) + " bytes of contents, not asked for");
    }
  });
}

// --- AC-06 ---
Outcome inlined_data_correct(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  return property(ctx, [&] {
    const Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    store(ctx, f);
    std::vector<std::string> paths;
    for (const auto& file : f.result.output_files()) paths.push_back(file.path());
    const auto got = get_action_result(ctx, f.action, true, true, paths);
    require(got.ok(), got.request + " (stored just before) -> " + status_text(got.status));
    const v2::ActionResult& r = got.response;
    require(r.stdout_raw().empty() || r.stdout_raw() == f.stdout_data,
            got.request + " -> stdout_raw is not the stdout blob: " +
                first_difference(r.stdout_raw(), f.stdout_data));
    require(r.stderr_raw().empty() || r.stderr_raw() == f.stderr_data,
            got.request + " -> stderr_raw is not the stderr blob: " +
                first_difference(r.stderr_raw(), f.stderr_data));
    for (const auto& file : r.output_files()) {
      const auto it = f.content.find(file.path());
      if (file.contents().empty() || it == f.content.end()) continue;
      require(file.contents() == it->second,
              got.request + " -> contents of '" + file.path() +
                  "' are not its blob: " + first_difference(file.contents(), it->second));
    }
  });
}

// --- AC-07 ---
Outcome update_matches_capability(Context& ctx) {
  if (ctx.facts().update_enabled) {
    return property(ctx, [&] {
      const Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
      store(ctx, f);  // requires OK: updates are advertised as enabled
    });
  }
  return once(ctx, [&] {
    Fixture f = make_fixture(ctx, ResultShape{});
    // A server whose CAS is writable gets the Action first; a refusal here is expected.
    batch_update(ctx, {f.action_blob, f.command_blob});
    const auto up = update_action_result(ctx, f.action, f.result);
    require(!up.ok(), up.request + " -> OK, though update_enabled is false");
    should(ctx,
           up.code() == grpc::StatusCode::PERMISSION_DENIED ||
               up.code() == grpc::StatusCode::UNIMPLEMENTED,
           up.request + " (update_enabled false) -> " + status_text(up.status) +
               ", expected PERMISSION_DENIED");
  });
}

// --- AC-08 ---
Outcome precondition_codes(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  std::map<std::string, std::set<std::string>> seen;  // variant -> "accepted" / "refused"
  Outcome outcome = property(ctx, [&] {
    const std::string variant = *rc::gen::elementOf(
        std::vector<std::string>{"Action never uploaded", "Command never uploaded",
                                 "output file never uploaded", "stdout never uploaded"});
    Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    std::vector<Blob> blobs = f.outputs;
    if (variant != "Action never uploaded") blobs.push_back(f.action_blob);
    if (variant != "Command never uploaded") blobs.push_back(f.command_blob);
    if (variant == "output file never uploaded") {
      v2::OutputFile* file = f.result.add_output_files();
      file->set_path("out/never-uploaded");
      *file->mutable_digest() = absent(ctx, 64);
    } else if (variant == "stdout never uploaded") {
      *f.result.mutable_stdout_digest() = absent(ctx, 64);
    }
    upload(ctx, blobs, f.function);
    const auto up = update_action_result(ctx, f.action, f.result);
    require_at(ctx, Level::must, up.ok() || up.code() == grpc::StatusCode::FAILED_PRECONDITION,
               up.request + " (" + variant + ") -> " + status_text(up.status) +
                   "; a server that checks must answer FAILED_PRECONDITION, else OK");
    seen[variant].insert(up.ok() ? "accepted" : "refused");
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    for (const auto& [variant, answers] : seen) {
      if (!outcome.message.empty()) outcome.message += "; ";
      outcome.message += variant + ": ";
      for (const auto& a : answers) outcome.message += a + (a == *answers.rbegin() ? "" : "/");
    }
  }
  return outcome;
}

// --- AC-09 ---
Outcome rejects_invalid_update(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  return property(ctx, [&] {
    const std::string variant = *rc::gen::elementOf(
        std::vector<std::string>{"action_digest unset", "action_result unset",
                                 "malformed action_digest", "malformed digest in the result"});
    const std::string kind = *rc::gen::elementOf(kMalformedKinds);
    Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    upload(ctx, f.blobs(), f.function);
    v2::UpdateActionResultRequest request;
    request.set_instance_name(ctx.instance());
    request.set_digest_function(ctx.function_proto());
    *request.mutable_action_digest() = f.action;
    *request.mutable_action_result() = f.result;
    std::string what = variant;
    if (variant == "action_digest unset") {
      request.clear_action_digest();
    } else if (variant == "action_result unset") {
      request.clear_action_result();
    } else if (variant == "malformed action_digest") {
      *request.mutable_action_digest() = malformed_digest(ctx, kind);
      what += " (" + kind + ")";
    } else {
      v2::OutputFile* file = request.mutable_action_result()->add_output_files();
      file->set_path("out/malformed");
      *file->mutable_digest() = malformed_digest(ctx, kind);
      what += " (output file digest: " + kind + ")";
    }
    const auto up = update_action_result_raw(ctx, request);
    const auto code = up.code();
    const bool malformed_digest_variant = variant.rfind("malformed", 0) == 0;
    // The code is the MUST part; whether the server counts it invalid at all is SHOULD.
    require(code == grpc::StatusCode::OK || code == grpc::StatusCode::INVALID_ARGUMENT ||
                (malformed_digest_variant && code == grpc::StatusCode::FAILED_PRECONDITION),
            up.request + " (" + what + ") -> " + status_text(up.status) +
                ", expected INVALID_ARGUMENT");
    should(ctx, code == grpc::StatusCode::INVALID_ARGUMENT,
           up.request + " (" + what + ") -> " + status_text(up.status) +
               ", expected INVALID_ARGUMENT");
  });
}

// --- AC-11 ---
Outcome rejects_malformed_lookup(Context& ctx) {
  return property(ctx, [&] {
    const std::string kind = *rc::gen::elementOf(kMalformedKinds);
    const auto reply = get_action_result(ctx, malformed_digest(ctx, kind));
    require(reply.code() == grpc::StatusCode::INVALID_ARGUMENT,
            reply.request + " (" + kind + ") -> " + status_text(reply.status) +
                ", expected INVALID_ARGUMENT");
  });
}

// --- AC-12 ---
Outcome digest_function_field(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  std::vector<reapi::DigestFunction> listed, usable;
  for (auto f : ctx.facts().digest_functions) {
    if (auto fn = reapi::digest_function_from_number(f)) listed.push_back(*fn);
  }
  for (auto fn : listed) {
    if (reapi::is_hashable(fn)) usable.push_back(fn);
  }
  if (usable.empty()) usable.push_back(ctx.function());
  return property(ctx, [&] {
    const auto fn = *rc::gen::elementOf(usable);
    const auto inferred = reapi::infer_from_hex_length(reapi::hex_length(fn), listed);
    const bool may_unset = inferred && *inferred == fn;
    const bool update_explicit = !may_unset || *rc::gen::arbitrary<bool>();
    const bool get_explicit = !may_unset || *rc::gen::arbitrary<bool>();
    const Fixture f = make_fixture(ctx, *gen_result_shape(ctx), fn);
    upload(ctx, f.blobs(), fn);
    const std::string name(reapi::name(fn));
    auto field = [&](bool set) { return set ? proto_of(fn) : v2::DigestFunction::UNKNOWN; };

    v2::UpdateActionResultRequest update;
    update.set_instance_name(ctx.instance());
    update.set_digest_function(field(update_explicit));
    *update.mutable_action_digest() = f.action;
    *update.mutable_action_result() = f.result;
    const auto up = update_action_result_raw(ctx, update);
    require(up.ok(), up.request + " (" + name + " digests) -> " + status_text(up.status));

    v2::GetActionResultRequest get;
    get.set_instance_name(ctx.instance());
    get.set_digest_function(field(get_explicit));
    *get.mutable_action_digest() = f.action;
    const auto got = get_action_result_raw(ctx, get);
    require(got.ok(), got.request + " after " + up.request + " (" + name + " digests) -> " +
                          status_text(got.status));
    const std::string diff = difference(f.result, got.response);
    require(diff.empty(), got.request + " (" + name + ") -> OK, but " + diff);
  });
}

// --- AC-14 ---
Outcome accepts_cache_priority(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  for (const auto& r :
       ctx.facts().raw.cache_capabilities().cache_priority_capabilities().priorities()) {
    if (r.min_priority() <= r.max_priority())
      ranges.emplace_back(r.min_priority(), r.max_priority());
  }
  return property(ctx, [&] {
    std::int64_t priority = 0;
    if (!ranges.empty() && *rc::gen::arbitrary<bool>()) {
      const auto range = *rc::gen::elementOf(ranges);
      priority = *rc::gen::inRange<std::int64_t>(range.first, range.second + 1);
    }
    const Fixture f = make_fixture(ctx, *gen_result_shape(ctx));
    upload(ctx, f.blobs(), f.function);
    v2::UpdateActionResultRequest request;
    request.set_instance_name(ctx.instance());
    request.set_digest_function(ctx.function_proto());
    *request.mutable_action_digest() = f.action;
    *request.mutable_action_result() = f.result;
    request.mutable_results_cache_policy()->set_priority(static_cast<std::int32_t>(priority));
    const auto up = update_action_result_raw(ctx, request);
    require(up.ok(), up.request + " (results_cache_policy.priority " + std::to_string(priority) +
                         (priority == 0 ? ", the default" : ", inside an advertised range") +
                         ") -> " + status_text(up.status));
  });
}

// --- AC-15 ---
Outcome overwrite_whole_result(Context& ctx) {
  if (!ctx.facts().update_enabled) return Outcome::skip(kNoUpdates);
  int later = 0, first = 0;
  Outcome outcome = property(ctx, [&] {
    const Fixture one = make_fixture(ctx, *gen_result_shape(ctx));
    ResultShape shape2 = *gen_result_shape(ctx);
    Fixture two = make_fixture(ctx, shape2);
    // The same action, a different result: other blobs, another exit code, one more file.
    two.action = one.action;
    two.result.set_exit_code(one.result.exit_code() + 1);
    v2::OutputFile* marker = two.result.add_output_files();
    marker->set_path("out/second");
    const Blob b = blob_with(two.function, ctx.unique_bytes(32));
    *marker->mutable_digest() = b.digest;
    two.outputs.push_back(b);
    upload(ctx, one.blobs(), one.function);
    upload(ctx, two.outputs, two.function);
    const auto up1 = update_action_result(ctx, one.action, one.result);
    require_at(ctx, Level::must, up1.ok(), up1.request + " -> " + status_text(up1.status));
    const auto up2 = update_action_result(ctx, one.action, two.result);
    require_at(
        ctx, Level::must, up2.ok(),
        up2.request + " (a second result for the same action) -> " + status_text(up2.status));
    const auto got = get_action_result(ctx, one.action);
    require_at(ctx, Level::must, got.ok(),
               got.request + " after two updates -> " + status_text(got.status));
    const std::string d1 = difference(one.result, got.response);
    const std::string d2 = difference(two.result, got.response);
    require_at(ctx, Level::must, d1.empty() || d2.empty(),
               got.request + " after two updates returns neither result: against the first, " + d1 +
                   "; against the second, " + d2);
    ++(d2.empty() ? later : first);
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = "the later write won in " + std::to_string(later) +
                      " case(s), the first was kept in " + std::to_string(first);
  }
  return outcome;
}

}  // namespace

void add_action_cache_checks(Catalogue& catalogue) {
  catalogue.add({"action_cache.miss_not_found", "AC-01", Level::must,
                 "GetActionResult for an action with no stored result fails with NOT_FOUND"},
                miss_not_found);
  catalogue.add({"action_cache.store_then_fetch", "AC-02", Level::must,
                 "After UpdateActionResult succeeds, GetActionResult returns an equivalent "
                 "result, and the update returns the result as stored"},
                store_then_fetch);
  catalogue.add({"action_cache.normalised_result_equivalent", "AC-03", Level::may,
                 "A server may normalise a stored result, but what it returns stays equivalent "
                 "and the same from update and lookup"},
                normalised_result_equivalent);
  catalogue.add({"action_cache.referenced_blobs_available", "AC-04", Level::should,
                 "A hit references only blobs the CAS holds; a result with a lost blob is "
                 "reported as a miss"},
                referenced_blobs_available);
  catalogue.add({"action_cache.inline_only_on_request", "AC-05", Level::should,
                 "stdout_raw, stderr_raw and contents are filled only when asked for, and never "
                 "past the message size limit"},
                inline_only_on_request);
  catalogue.add({"action_cache.inlined_data_correct", "AC-06", Level::must,
                 "Inlined stdout, stderr and file contents equal the blobs their digests name"},
                inlined_data_correct);
  catalogue.add({"action_cache.update_matches_capability", "AC-07", Level::must,
                 "UpdateActionResult succeeds when update_enabled is advertised and fails "
                 "(PERMISSION_DENIED) when it is not"},
                update_matches_capability);
  catalogue.add({"action_cache.precondition_codes", "AC-08", Level::may,
                 "A server that checks the Action, Command or outputs of an update reports a "
                 "missing one with FAILED_PRECONDITION"},
                precondition_codes);
  catalogue.add({"action_cache.rejects_invalid_update", "AC-09", Level::must,
                 "UpdateActionResult with a missing or malformed action digest, result or inner "
                 "digest fails with INVALID_ARGUMENT"},
                rejects_invalid_update);
  catalogue.not_checkable({"action_cache.storage_exhausted", "AC-10", Level::must,
                           "UpdateActionResult fails with RESOURCE_EXHAUSTED when there is no "
                           "room for the entry"},
                          "needs a server whose storage quota the suite can fill; the suite "
                          "only writes small unique blobs and never fills a shared server");
  catalogue.add({"action_cache.rejects_malformed_lookup", "AC-11", Level::should,
                 "GetActionResult with a malformed action digest fails with INVALID_ARGUMENT, "
                 "not NOT_FOUND"},
                rejects_malformed_lookup);
  catalogue.add({"action_cache.digest_function_field", "AC-12", Level::should,
                 "digest_function selects the function of the action and result digests; unset "
                 "is inferred from the hash length"},
                digest_function_field);
  catalogue.not_checkable({"action_cache.instances_separate", "AC-13", Level::should,
                           "A result stored under one instance is not returned under another "
                           "instance with its own cache"},
                          "needs two instance names known to have separate caches; a run "
                          "targets one instance, and a second name the server accepts may "
                          "share its cache (single-instance servers), so a hit proves nothing");
  catalogue.add({"action_cache.accepts_cache_priority", "AC-14", Level::should,
                 "UpdateActionResult accepts results_cache_policy.priority 0 or inside an "
                 "advertised range"},
                accepts_cache_priority);
  catalogue.add({"action_cache.overwrite_whole_result", "AC-15", Level::may,
                 "A second update of the same action keeps one whole result (first or later), "
                 "never a mix"},
                overwrite_whole_result);
  catalogue.not_checkable({"action_cache.retention", "AC-16", Level::should,
                           "Recently used ActionCache entries are the ones kept longest"},
                          "eviction is internal to the server and cannot be provoked or "
                          "observed within a test run");
}

}  // namespace conformance
