// GetTree (cas.md section 4, CAS-TREE-nn), as properties over random directory trees
// (tree_builder.h): depth, fan-out, shared subtrees, symlinks, empty and missing
// directories, and random page sizes (0 = the server's choice).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <map>
#include <set>

#include "checks/families.h"
#include "checks/tree_builder.h"
#include "framework/calls.h"
#include "framework/generators.h"
#include "framework/property.h"
#include "reapi/digest.h"

namespace conformance {

namespace {

using namespace std::chrono_literals;

constexpr int kMaxCalls = 200;      // continuation calls followed before giving up
constexpr int kMaxMessages = 1000;  // messages read from one stream

// --- a server that never answers GetTree ---
// When one GetTree call used its whole per-call deadline without an answer, later GetTree
// calls of the run fail at once: otherwise every check (and every shrinking step) would
// wait out its own deadline and the run would overrun its time bound.
std::atomic<const Session*> g_silent_session{nullptr};

bool known_silent(Context& ctx) { return g_silent_session.load() == &ctx.session(); }

void note_silence(Context& ctx, const grpc::Status& status, Clock::time_point started) {
  if (status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) return;
  const auto now = Clock::now();
  if (now + 50ms >= ctx.deadline()) return;  // the check's own budget ran out, not the server
  if (now - started + 50ms < ctx.session().target().deadline()) return;
  g_silent_session = &ctx.session();
}

grpc::Status silent_status() {
  return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                      "not called again: an earlier GetTree call of this run got no answer "
                      "within its deadline");
}

// --- a server without GetTree ---
// GetTree answering UNIMPLEMENTED fails cas.get_tree.full_tree; the other GetTree checks
// would only repeat that one failure, so they skip, pointing to it. Probed once per run.
std::atomic<const Session*> g_probed_session{nullptr};
std::atomic<const Session*> g_unimplemented_session{nullptr};

bool get_tree_unimplemented(Context& ctx) {
  if (known_silent(ctx)) return false;  // those checks fail at once instead
  if (g_probed_session.load() != &ctx.session()) {
    const auto started = Clock::now();
    const TreeStream probe = get_tree_page(ctx, empty_blob_digest(ctx), 0, "");
    note_silence(ctx, probe.status, started);
    if (probe.status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      g_unimplemented_session = &ctx.session();
    }
    g_probed_session = &ctx.session();
  }
  return g_unimplemented_session.load() == &ctx.session();
}

CheckFn unless_unimplemented(CheckFn check) {
  return [check](Context& ctx) {
    if (get_tree_unimplemented(ctx)) {
      return Outcome::skip(
          "GetTree answers UNIMPLEMENTED; cas.get_tree.full_tree reports that failure");
    }
    return check(ctx);
  };
}

// --- walks ---

// All pages through the framework's walk (it detects token loops and bounds the calls).
TreeWalk walk(Context& ctx, const v2::Digest& root, int page_size) {
  if (known_silent(ctx)) {
    TreeWalk w;
    w.status = silent_status();
    w.request = "GetTree root " + brief(root) + " page_size " + std::to_string(page_size);
    return w;
  }
  const auto started = Clock::now();
  TreeWalk w = get_tree_all(ctx, root, page_size, kMaxCalls);
  note_silence(ctx, w.status, started);
  return w;
}

bool walk_gave_up(const grpc::Status& status) {
  // The framework's walk reports a token loop as ABORTED and an endless walk (or stream)
  // as OUT_OF_RANGE; GetTree itself has no use for either code.
  return status.error_code() == grpc::StatusCode::ABORTED ||
         status.error_code() == grpc::StatusCode::OUT_OF_RANGE;
}

std::string walk_failure(const TreeWalk& w) {
  return w.request + " -> " + (walk_gave_up(w.status) ? "pagination never ended: " : "") +
         status_text(w.status) + " (on call " + std::to_string(w.pages) + ")";
}

std::set<std::string> keys_of(const std::vector<v2::Directory>& dirs, reapi::DigestFunction fn) {
  std::set<std::string> keys;
  for (const v2::Directory& d : dirs) keys.insert(key_of(d, fn));
  return keys;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

// One GetTree stream as this file reads it: optionally stopping (and cancelling) at the
// first message that carries a page token, as a client that resumes from it would.
struct Call {
  grpc::Status status;
  std::vector<v2::GetTreeResponse> messages;
  std::vector<v2::Directory> directories;
  std::string next;  // the token of the last message read
  std::string request;
};

Call tree_call(Context& ctx, const v2::GetTreeRequest& request, bool stop_at_token = false) {
  Call out;
  out.request = "GetTree " + brief(request);
  if (known_silent(ctx)) {
    out.status = silent_status();
    return out;
  }
  const auto started = Clock::now();
  grpc::ClientContext context;
  ctx.prepare(context);
  auto reader = ctx.cas().GetTree(&context, request);
  v2::GetTreeResponse message;
  bool cancelled = false, overflow = false;
  while (reader->Read(&message)) {
    if (static_cast<int>(out.messages.size()) >= kMaxMessages) {
      overflow = true;
      context.TryCancel();
      break;
    }
    for (const v2::Directory& d : message.directories()) out.directories.push_back(d);
    out.next = message.next_page_token();
    out.messages.push_back(std::move(message));
    message.Clear();
    if (stop_at_token && !out.next.empty()) {
      cancelled = true;
      context.TryCancel();
      break;
    }
  }
  out.status = reader->Finish();
  note_silence(ctx, out.status, started);
  if (cancelled && out.status.error_code() == grpc::StatusCode::CANCELLED) {
    out.status = grpc::Status::OK;  // our own cancel, after the message we wanted
  }
  if (overflow) {
    out.status = grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                              "one stream sent more than " + std::to_string(kMaxMessages) +
                                  " messages; the suite stopped reading");
  }
  return out;
}

// Follows tokens call after call, as CAS-TREE-05/06 describe.
struct PagedWalk {
  std::vector<Call> calls;
  std::vector<v2::Directory> directories;
  std::string failure;  // empty when every call succeeded and the last token was empty
  bool ok() const { return failure.empty(); }
};

PagedWalk walk_calls(Context& ctx, v2::GetTreeRequest request, bool stop_at_token) {
  PagedWalk w;
  std::set<std::string> seen;
  while (true) {
    if (static_cast<int>(w.calls.size()) >= kMaxCalls) {
      w.failure = "pagination never ended: still not at the last page after " +
                  std::to_string(kMaxCalls) + " calls (last: " + w.calls.back().request + ")";
      return w;
    }
    Call call = tree_call(ctx, request, stop_at_token);
    w.directories.insert(w.directories.end(), call.directories.begin(), call.directories.end());
    w.calls.push_back(call);
    if (!call.status.ok()) {
      w.failure = call.request + " -> " +
                  (walk_gave_up(call.status) ? "pagination never ended: " : "") +
                  status_text(call.status) + " (call " + std::to_string(w.calls.size()) + ")";
      return w;
    }
    if (call.next.empty()) return w;
    if (!seen.insert(call.next).second) {
      w.failure = "pagination loop: " + call.request + " answered with next_page_token '" +
                  call.next.substr(0, 60) + "', a token already followed (call " +
                  std::to_string(w.calls.size()) + ")";
      return w;
    }
    request.set_page_token(call.next);
  }
}

v2::GetTreeRequest tree_request(Context& ctx, const v2::Digest& root, int page_size) {
  v2::GetTreeRequest request;
  request.set_instance_name(ctx.instance());
  request.set_digest_function(ctx.function_proto());
  *request.mutable_root_digest() = root;
  request.set_page_size(page_size);
  return request;
}

// Page sizes: 0 (the server's choice), 1, small, around the tree's size, and large.
rc::Gen<int> gen_page_size(std::size_t dirs) {
  const int n = static_cast<int>(dirs);
  return rc::gen::weightedOneOf<int>({{2, rc::gen::just(0)},
                                      {2, rc::gen::just(1)},
                                      {2, rc::gen::inRange(2, 4)},
                                      {3, rc::gen::inRange(1, n + 3)},
                                      {1, rc::gen::just(1000)}});
}

std::string got_text(const TreeWalk& w) {
  return w.request + " -> OK, " + std::to_string(w.directories.size()) + " directories in " +
         std::to_string(w.pages) + " call(s)";
}

// --- CAS-TREE-01 ---
Outcome full_tree(Context& ctx) {
  return property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({});
    const int page_size = *gen_page_size(shape.dirs.size());
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    const TreeWalk w = walk(ctx, tree.root, page_size);
    require(w.status.ok(), walk_failure(w));
    const auto left_out = minus(tree.expected, keys_of(w.directories, tree.function));
    require(left_out.empty(), got_text(w) + ", but leaves out " + brief_keys(left_out) +
                                  " of the " + std::to_string(tree.expected.size()) +
                                  " stored Directories "
                                  "reachable from the root");
  });
}

// --- CAS-TREE-02 ---
Outcome missing_root_not_found(Context& ctx) {
  return property(ctx, [&] {
    const auto size = *rc::gen::inRange<std::int64_t>(1, 100000);
    const int page_size = *gen_page_size(4);
    const Call call = tree_call(ctx, tree_request(ctx, absent(ctx, size), page_size));
    require(
        call.status.error_code() == grpc::StatusCode::NOT_FOUND,
        call.request + " (never uploaded) -> " + status_text(call.status) + ", expected NOT_FOUND");
    require(call.directories.empty(),
            call.request + " (never uploaded) -> NOT_FOUND, but only after " +
                std::to_string(call.directories.size()) + " Directories were delivered");
  });
}

// --- CAS-TREE-03 ---
Outcome skips_missing_subtrees(Context& ctx) {
  return property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({.with_missing = true});
    const int page_size = *gen_page_size(shape.dirs.size());
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    const TreeWalk w = walk(ctx, tree.root, page_size);
    require(w.status.ok(), walk_failure(w) + "; the tree has " +
                               std::to_string(tree.missing.size()) +
                               " Directories never uploaded, which GetTree must skip, not fail on");
    const auto got = keys_of(w.directories, tree.function);
    const auto left_out = minus(tree.expected, got);
    require(left_out.empty(), got_text(w) + ", but leaves out stored " + brief_keys(left_out) +
                                  " (never-uploaded ones: " + brief_keys(tree.missing) + ")");
    const auto extra = minus(got, tree.expected);
    require(extra.empty(), got_text(w) + ", including " + brief_keys(extra) +
                               ", not reachable through stored Directories");
  });
}

// --- CAS-TREE-04 ---
// Any order is allowed; a failure here is only recorded (MAY): clients that assume the
// root first and parents before children (remote-apis#375) would break.
Outcome any_order(Context& ctx) {
  return property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({});
    const int page_size = *gen_page_size(shape.dirs.size());
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    const TreeWalk w = walk(ctx, tree.root, page_size);
    require(w.status.ok(), walk_failure(w));
    std::set<std::string> before;
    for (std::size_t i = 0; i < w.directories.size(); ++i) {
      const std::string key = key_of(w.directories[i], tree.function);
      if (i == 0) {
        require(key == key_of(tree.root), got_text(w) + ": the first is " + brief_key(key) +
                                              ", not the root (allowed; "
                                              "clients that assume root-first order would break)");
      } else if (!before.count(key)) {
        const auto it = tree.parents.find(key);
        const bool parent_seen =
            it != tree.parents.end() &&
            std::any_of(it->second.begin(), it->second.end(),
                        [&](const std::string& p) { return before.count(p) > 0; });
        require(parent_seen, got_text(w) + ": Directory " + std::to_string(i + 1) + " (" +
                                 brief_key(key) +
                                 ") comes before any of its parents "
                                 "(allowed; clients that assume parent-first order would break)");
      }
      before.insert(key);
    }
  });
}

// --- CAS-TREE-05 ---
Outcome pagination_terminates(Context& ctx) {
  return property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({.max_dirs = 30});
    const int page_size = *gen_page_size(shape.dirs.size());
    // Page by page (resuming from the first token of each stream, as a client that pages
    // does), or whole streams (resuming only where a stream ends on a token).
    const bool page_by_page =
        *rc::gen::weightedOneOf<bool>({{2, rc::gen::just(true)}, {1, rc::gen::just(false)}});
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    const PagedWalk w = walk_calls(ctx, tree_request(ctx, tree.root, page_size), page_by_page);
    require(w.ok(), w.failure);
    for (std::size_t i = 1; i < w.calls.size(); ++i) {
      require(!w.calls[i].directories.empty(),
              w.calls[i - 1].request + " ended on a non-empty next_page_token, but " +
                  w.calls[i].request + " -> OK with no Directory (a token promises more)");
    }
    const auto left_out = minus(tree.expected, keys_of(w.directories, tree.function));
    require(left_out.empty(),
            w.calls.back().request + " ended on an empty next_page_token (the last page) after " +
                std::to_string(w.calls.size()) + " call(s), but " + brief_keys(left_out) + " of " +
                std::to_string(tree.expected.size()) + " reachable Directories never came");
  });
}

// --- CAS-TREE-06 ---
Outcome page_token_resumes(Context& ctx) {
  return property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({.min_dirs = 6, .max_dirs = 30});
    const int page_size = *rc::gen::inRange(1, 6);
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    // Read each stream only up to its first token, cancel, and resume from that token.
    const PagedWalk w = walk_calls(ctx, tree_request(ctx, tree.root, page_size), true);
    require(w.ok(), w.failure);
    const auto left_out = minus(tree.expected, keys_of(w.directories, tree.function));
    require(left_out.empty(),
            "GetTree root " + brief(tree.root) + " page_size " + std::to_string(page_size) +
                ", resuming from the first token of each stream: " +
                std::to_string(w.calls.size()) + " call(s) delivered " +
                std::to_string(w.directories.size()) + " Directories but never " +
                brief_keys(left_out) + " of the " + std::to_string(tree.expected.size()));
  });
}

// --- CAS-TREE-07 ---
Outcome page_size_bound(Context& ctx) {
  return property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({.min_dirs = 4, .max_dirs = 30});
    const int page_size = *rc::gen::inRange(1, 6);
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    const PagedWalk w = walk_calls(ctx, tree_request(ctx, tree.root, page_size), false);
    require(w.ok(), w.failure);
    for (const Call& call : w.calls) {
      for (std::size_t m = 0; m < call.messages.size(); ++m) {
        const int n = call.messages[m].directories_size();
        require(n <= page_size, call.request + ": message " + std::to_string(m + 1) + " holds " +
                                    std::to_string(n) + " Directories, over page_size " +
                                    std::to_string(page_size));
      }
    }
  });
}

// --- CAS-TREE-08 ---
Outcome directories_hash_to_references(Context& ctx) {
  return property(ctx, [&] {
    const bool with_missing = *rc::gen::arbitrary<bool>();
    const TreeShape shape = *gen_tree_shape({.with_missing = with_missing});
    const int page_size = *gen_page_size(shape.dirs.size());
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    const TreeWalk w = walk(ctx, tree.root, page_size);
    require(w.status.ok(), walk_failure(w));
    for (const v2::Directory& d : w.directories) {
      const std::string key = key_of(d, tree.function);
      require(tree.expected.count(key) > 0,
              got_text(w) + ", one of which serializes to " + brief_key(key) +
                  ", a digest neither the root nor any DirectoryNode of the tree names: the "
                  "stored Directory came back altered (" +
                  brief(d, 160) + ")");
    }
    const auto left_out = minus(tree.expected, keys_of(w.directories, tree.function));
    require(left_out.empty(), got_text(w) + ": no returned Directory hashes to " +
                                  brief_keys(left_out) + ", which the tree references");
  });
}

// --- CAS-TREE-09 ---
Outcome shared_subtrees(Context& ctx) {
  int once = 0, repeated = 0;
  Outcome outcome = property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({.with_shared = true});
    const int page_size = *gen_page_size(shape.dirs.size());
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    const TreeWalk w = walk(ctx, tree.root, page_size);
    require_at(ctx, Level::must, w.status.ok(), walk_failure(w));
    std::map<std::string, int> count;
    for (const v2::Directory& d : w.directories) ++count[key_of(d, tree.function)];
    bool all_once = true;
    for (const auto& [key, refs] : tree.references) {
      if (refs < 2 || !tree.expected.count(key)) continue;
      require_at(ctx, Level::must, count[key] > 0,
                 got_text(w) + ", none of them " + brief_key(key) + ", which " +
                     std::to_string(refs) + " DirectoryNode entries name");
      if (count[key] > 1) all_once = false;
    }
    std::set<std::string> got;
    for (const auto& entry : count) got.insert(entry.first);
    const auto left_out = minus(tree.expected, got);
    require_at(ctx, Level::must, left_out.empty(),
               got_text(w) + ", but leaves out " + brief_keys(left_out));
    ++(all_once ? once : repeated);
  });
  if (outcome.verdict == Outcome::Verdict::passed && outcome.message.empty()) {
    outcome.message = "shared Directories came once per digest in " + std::to_string(once) +
                      " case(s), repeated in " + std::to_string(repeated);
  }
  return outcome;
}

// --- CAS-TREE-10 ---
Outcome rejects_foreign_page_token(Context& ctx) {
  return property(ctx, [&] {
    const TreeShape shape = *gen_tree_shape({.max_dirs = 6});
    const int page_size = *gen_page_size(shape.dirs.size());
    const unsigned suffix = *rc::gen::inRange(0u, 1u << 20);
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", suffix);
    const std::string token = suffix == 0 ? "not-a-token" : "not-a-token-" + std::string(hex);
    const BuiltTree tree = build_tree(ctx, shape, ctx.function());
    upload(ctx, tree.uploads);
    v2::GetTreeRequest request = tree_request(ctx, tree.root, page_size);
    request.set_page_token(token);
    const Call call = tree_call(ctx, request);
    require(
        call.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT,
        call.request + " (a token the server never issued, for a stored root) -> " +
            status_text(call.status) +
            (call.status.ok() ? " with " + std::to_string(call.directories.size()) + " Directories"
                              : "") +
            ", expected INVALID_ARGUMENT");
  });
}

// --- CAS-TREE-11 ---
Outcome rejects_non_directory_root(Context& ctx) {
  return property(ctx, [&] {
    // 0xff 0xff 0xff is an unterminated varint; 0x07 is field 0 with wire type 7. Neither
    // parses as any protobuf message.
    const bool short_form =
        *rc::gen::weightedOneOf<bool>({{1, rc::gen::just(true)}, {3, rc::gen::just(false)}});
    const auto size = short_form ? 0 : *rc::gen::inRange<std::size_t>(16, 300);
    const std::string data = short_form ? std::string(3, '\xff') : "\x07" + ctx.unique_bytes(size);
    v2::Directory probe;
    require(!probe.ParseFromString(data), "suite error: the garbage root parses as a Directory");
    const Blob blob = blob_of(ctx, data);
    upload(ctx, {blob});
    const Call call = tree_call(ctx, tree_request(ctx, blob.digest, *gen_page_size(2)));
    require(!call.status.ok(),
            call.request + " (a stored blob that is no Directory) -> OK with " +
                std::to_string(call.directories.size()) +
                " Directories, expected INVALID_ARGUMENT or FAILED_PRECONDITION");
    require(call.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                call.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION,
            call.request + " (a stored blob that is no Directory) -> " + status_text(call.status) +
                ", expected INVALID_ARGUMENT or FAILED_PRECONDITION");
  });
}

// --- CAS-TREE-12 ---
Outcome empty_root(Context& ctx) {
  return property(ctx, [&] {
    const int page_size = *gen_page_size(1);
    const TreeWalk w = walk(ctx, empty_blob_digest(ctx), page_size);
    require(w.status.ok(), walk_failure(w) + " (the empty Directory is always stored)");
    require(w.directories.size() == 1,
            got_text(w) + ", expected exactly one (the empty Directory)");
    const v2::Directory& d = w.directories.front();
    require(d.files_size() == 0 && d.directories_size() == 0 && d.symlinks_size() == 0 &&
                d.ByteSizeLong() == 0,
            got_text(w) + ", but it is not empty: " + brief(d));
  });
}

// --- CAS-TREE-13 ---
std::vector<reapi::DigestFunction> advertised(const Context& ctx) {
  std::vector<reapi::DigestFunction> out;
  for (auto f : ctx.facts().digest_functions) {
    if (auto fn = reapi::digest_function_from_number(f)) out.push_back(*fn);
  }
  return out;
}

Outcome uses_request_digest_function(Context& ctx) {
  const auto listed = advertised(ctx);
  std::vector<reapi::DigestFunction> usable;
  for (auto fn : listed) {
    if (reapi::is_hashable(fn)) usable.push_back(fn);
  }
  if (usable.empty()) usable.push_back(ctx.function());  // the server lists none it can use
  return property(ctx, [&] {
    const auto fn = *rc::gen::elementOf(usable);
    // Unset is tried only where the length names the function unambiguously (COM-08).
    const auto inferred = reapi::infer_from_hex_length(reapi::hex_length(fn), listed);
    const bool explicit_field = !(inferred && *inferred == fn) || *rc::gen::arbitrary<bool>();
    const TreeShape shape = *gen_tree_shape({.max_dirs = 16});
    const int page_size = *gen_page_size(shape.dirs.size());
    const BuiltTree tree = build_tree(ctx, shape, fn);
    upload(ctx, tree.uploads, fn);
    v2::GetTreeRequest request = tree_request(ctx, tree.root, page_size);
    request.set_digest_function(explicit_field
                                    ? static_cast<v2::DigestFunction::Value>(static_cast<int>(fn))
                                    : v2::DigestFunction::UNKNOWN);
    const PagedWalk w = walk_calls(ctx, request, false);
    const std::string what = std::string(" (a tree hashed with ") + std::string(reapi::name(fn)) +
                             (explicit_field ? ")" : ", digest_function left unset)");
    require(w.ok(), w.failure + what);
    const auto got = keys_of(w.directories, fn);
    const auto left_out = minus(tree.expected, got);
    const auto extra = minus(got, tree.expected);
    require(left_out.empty() && extra.empty(), w.calls.front().request + what + " -> " +
                                                   std::to_string(w.directories.size()) +
                                                   " Directories; missing " + brief_keys(left_out) +
                                                   ", unexpected " + brief_keys(extra));
  });
}

}  // namespace

void add_get_tree_checks(Catalogue& catalogue) {
  catalogue.add({"cas.get_tree.full_tree", "CAS-TREE-01", Level::must,
                 "GetTree, following page tokens, returns the root and every stored Directory "
                 "reachable from it"},
                full_tree);
  catalogue.add({"cas.get_tree.missing_root_not_found", "CAS-TREE-02", Level::must,
                 "GetTree of a root that is not stored fails with NOT_FOUND and delivers nothing"},
                unless_unimplemented(missing_root_not_found));
  catalogue.add({"cas.get_tree.skips_missing_subtrees", "CAS-TREE-03", Level::must,
                 "GetTree skips Directories that are not stored (and what only they reach) and "
                 "still ends OK"},
                unless_unimplemented(skips_missing_subtrees));
  catalogue.add({"cas.get_tree.any_order", "CAS-TREE-04", Level::may,
                 "GetTree may return Directories in any order; records whether the root comes "
                 "first and parents precede children"},
                unless_unimplemented(any_order));
  catalogue.add({"cas.get_tree.pagination_terminates", "CAS-TREE-05", Level::must,
                 "The page that completes the tree has an empty next_page_token; a non-empty "
                 "token always leads to more Directories"},
                unless_unimplemented(pagination_terminates));
  catalogue.add({"cas.get_tree.page_token_resumes", "CAS-TREE-06", Level::must,
                 "A next_page_token taken from the middle of a stream resumes the walk, and the "
                 "pages together hold the full tree"},
                unless_unimplemented(page_token_resumes));
  catalogue.add({"cas.get_tree.page_size_bound", "CAS-TREE-07", Level::should,
                 "No GetTree response message holds more Directories than page_size"},
                unless_unimplemented(page_size_bound));
  catalogue.add({"cas.get_tree.directories_hash_to_references", "CAS-TREE-08", Level::must,
                 "Every returned Directory serializes to the digest by which the tree refers to "
                 "it (stored bytes unchanged)"},
                unless_unimplemented(directories_hash_to_references));
  catalogue.add({"cas.get_tree.shared_subtrees", "CAS-TREE-09", Level::may,
                 "A Directory referenced from several places is returned (once or once per "
                 "reference)"},
                unless_unimplemented(shared_subtrees));
  catalogue.add({"cas.get_tree.rejects_foreign_page_token", "CAS-TREE-10", Level::should,
                 "A page_token the server never issued is rejected with INVALID_ARGUMENT"},
                unless_unimplemented(rejects_foreign_page_token));
  catalogue.add({"cas.get_tree.rejects_non_directory_root", "CAS-TREE-11", Level::should,
                 "GetTree of a stored blob that is not a Directory fails (INVALID_ARGUMENT or "
                 "FAILED_PRECONDITION)"},
                unless_unimplemented(rejects_non_directory_root));
  catalogue.add({"cas.get_tree.empty_root", "CAS-TREE-12", Level::must,
                 "GetTree of the empty digest returns exactly one empty Directory"},
                unless_unimplemented(empty_root));
  catalogue.add({"cas.get_tree.uses_request_digest_function", "CAS-TREE-13", Level::must,
                 "GetTree reads the whole tree with the request's digest function (explicit, or "
                 "inferred from the root hash length)"},
                unless_unimplemented(uses_request_digest_function));
}

}  // namespace conformance
