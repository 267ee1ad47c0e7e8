// GetTree faults: a missing root taken for an empty tree, a missing subtree failing the
// call, a shared subtree taken for a cycle, parse errors ignored, pages in reverse order,
// page_size ignored, an off-by-one resume, foreign page tokens accepted, node properties
// lost, and every tree read as SHA-256. The faults that must know what is stored look at
// the server's storage through a tap (the storage itself is unchanged).

#include <algorithm>
#include <deque>
#include <optional>
#include <set>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "call_rewriter.h"
#include "digest_facts.h"
#include "fault_plan.h"

namespace faulty {
namespace {
namespace v2 = build::bazel::remote::execution::v2;

// --- what is stored under a tree ---

// What a walk of the stored tree finds, the way a walker that reads it as it goes would.
struct TreeFacts {
  std::string missing_subtree;  // a Directory below the root that is not stored
  std::string shared_subtree;   // a Directory reached a second time
  bool root_not_directory = false;
};

// Each stored blob's bytes; the empty blob is always there (COM-05).
std::optional<std::string> stored(reference::Storage& storage, reapi::DigestFunction fn,
                                  const reapi::Digest& digest) {
  if (digest == reapi::empty_digest(fn)) return std::string();
  auto bytes = reference::read_blob(storage, reference::BlobKey::cas(fn, digest));
  if (!bytes.ok()) return std::nullopt;
  return *std::move(bytes);
}

TreeFacts inspect(const StorageTap& tap, const v2::GetTreeRequest& request) {
  TreeFacts facts;
  auto fn = well_formed(request.digest_function(), request.root_digest());
  if (!tap.storage || !fn) return facts;
  const reapi::Digest root = reapi::from_proto(request.root_digest());
  std::set<std::string> seen{root.to_string()};
  std::deque<reapi::Digest> queue{root};
  for (int read = 0; !queue.empty() && read < 100000; ++read) {
    const reapi::Digest digest = std::move(queue.front());
    queue.pop_front();
    const auto bytes = stored(*tap.storage, *fn, digest);
    v2::Directory directory;
    if (!bytes) {
      if (read > 0 && facts.missing_subtree.empty()) facts.missing_subtree = digest.to_string();
      continue;
    }
    if (!directory.ParseFromString(*bytes)) {
      if (read == 0) facts.root_not_directory = true;
      continue;
    }
    for (const auto& child : directory.directories()) {
      reapi::Digest d = reapi::from_proto(child.digest());
      if (seen.insert(d.to_string()).second) {
        queue.push_back(std::move(d));
      } else if (facts.shared_subtree.empty()) {
        facts.shared_subtree = d.to_string();
      }
    }
  }
  return facts;
}

// A GetTree rewriter that may look at the stored tree.
class TreeRewriter : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
 public:
  explicit TreeRewriter(std::shared_ptr<const StorageTap> tap) : tap_(std::move(tap)) {}

 protected:
  TreeFacts inspect(const v2::GetTreeRequest& request) const {
    return faulty::inspect(*tap_, request);
  }

 private:
  std::shared_ptr<const StorageTap> tap_;
};

// Streams the tree as it walks and stops at the first Directory that is not stored: the
// call ends NOT_FOUND after what came before.
class MissingSubtreeFails final : public TreeRewriter {
 public:
  using TreeRewriter::TreeRewriter;

 private:
  void on_request(v2::GetTreeRequest& request) override {
    missing_ = inspect(request).missing_subtree;
  }
  bool on_status(grpc::Status& status) override {
    if (missing_.empty() || !status.ok()) return false;
    status =
        grpc::Status(grpc::StatusCode::NOT_FOUND, "directory " + missing_ + " is not in the CAS");
    return true;
  }

  std::string missing_;
};

// Takes a Directory it reaches a second time for a cycle and gives up on the tree.
class SharedSubtreeIsCycle final : public TreeRewriter {
 public:
  using TreeRewriter::TreeRewriter;

 private:
  void on_request(v2::GetTreeRequest& request) override {
    shared_ = inspect(request).shared_subtree;
  }
  bool on_status(grpc::Status& status) override {
    if (shared_.empty() || !status.ok()) return false;
    status = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "directory " + shared_ + " is reached twice: the tree has a cycle");
    return true;
  }

  std::string shared_;
};

// Ignores the result of parsing the root: a blob that is no Directory gives an empty,
// successful walk.
class NonDirectoryRootOk final : public TreeRewriter {
 public:
  using TreeRewriter::TreeRewriter;

 private:
  void on_request(v2::GetTreeRequest& request) override {
    garbage_ = inspect(request).root_not_directory;
  }
  bool on_status(grpc::Status& status) override {
    if (!garbage_ || status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) return false;
    status = grpc::Status::OK;
    return true;
  }

  bool garbage_ = false;
};

// --- rewriting requests and responses only ---

// A root that is not stored is taken for an empty tree: the call ends OK with nothing.
class MissingRootOk final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  bool on_status(grpc::Status& status) override {
    if (status.error_code() != grpc::StatusCode::NOT_FOUND) return false;
    status = grpc::Status::OK;
    return true;
  }
};

// Sends each page deepest first: children before their parents, the root last.
class ReversedPages final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  bool on_response(v2::GetTreeResponse& response) override {
    auto& dirs = *response.mutable_directories();
    if (dirs.size() < 2) return false;
    std::reverse(dirs.begin(), dirs.end());
    return true;
  }
};

// Resumes one Directory past where its page token points: every call made with a token
// skips the first Directory it should send.
class ResumeSkipsOne final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  void on_request(v2::GetTreeRequest& request) override { skip_ = !request.page_token().empty(); }
  bool on_response(v2::GetTreeResponse& response) override {
    if (!skip_ || response.directories().empty()) return false;
    skip_ = false;
    response.mutable_directories()->erase(response.mutable_directories()->begin());
    return true;
  }

  bool skip_ = false;
};

// Ignores page_size: every call gets the server's default page (the whole tree here).
class PageSizeIgnored final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  void on_request(v2::GetTreeRequest& request) override { request.set_page_size(0); }
};

// Re-encodes each Directory from a model without node properties, so a file's
// node_properties are lost and the Directory no longer hashes to its digest.
class NodePropertiesDropped final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  bool on_response(v2::GetTreeResponse& response) override {
    bool changed = false;
    for (auto& dir : *response.mutable_directories()) {
      for (auto& file : *dir.mutable_files()) {
        if (!file.has_node_properties()) continue;
        file.clear_node_properties();
        changed = true;
      }
    }
    return changed;
  }
};

// A page token it cannot parse is taken for no token: the walk starts from the root.
class ForeignTokenIgnored final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  // The reference's tokens read "<offset>.<24 hex digits>".
  static bool parses(const std::string& token) {
    const auto dot = token.find('.');
    if (dot == std::string::npos || dot == 0 || token.size() != dot + 25) return false;
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    const auto hex = [&](char c) { return digit(c) || (c >= 'a' && c <= 'f'); };
    return std::all_of(token.begin(), token.begin() + static_cast<std::ptrdiff_t>(dot), digit) &&
           std::all_of(token.begin() + static_cast<std::ptrdiff_t>(dot) + 1, token.end(), hex);
  }
  void on_request(v2::GetTreeRequest& request) override {
    if (!request.page_token().empty() && !parses(request.page_token())) request.clear_page_token();
  }
};

// Reads every tree as SHA-256, whatever digest_function the request names.
class Sha256Only final : public CallRewriter<v2::GetTreeRequest, v2::GetTreeResponse> {
  void on_request(v2::GetTreeRequest& request) override {
    request.set_digest_function(v2::DigestFunction::SHA256);
  }
};

}  // namespace

std::vector<FaultEntry> get_tree_faults() {
  const std::string filter = "cas.get_tree.*";
  const std::vector<std::string> strict = {"--strict"};
  return {
      {.name = "missing-root-ok",
       .description = "GetTree of a root that is not stored ends OK with no Directory",
       .make = [] { return intercept<MissingRootOk>(method::kGetTree); },
       .expect = {.filter = filter, .fails = {"cas.get_tree.missing_root_not_found"}}},
      {.name = "missing-subtree-fails",
       .description = "GetTree fails with NOT_FOUND when a Directory below the root is not "
                      "stored, instead of skipping it",
       .make = [] { return tapped<MissingSubtreeFails>(method::kGetTree); },
       .expect = {.filter = filter, .fails = {"cas.get_tree.skips_missing_subtrees"}}},
      // CAS-TREE-04 is a MAY rule: any order is allowed, the suite records it as info.
      {.name = "reversed-tree-order",
       .description = "GetTree sends each page deepest first (children before parents)",
       .make = [] { return intercept<ReversedPages>(method::kGetTree); },
       .expect = {.filter = filter,
                  .infos = {"cas.get_tree.any_order"},
                  .extra_args = strict,
                  .exit = Expectation::Exit::zero}},
      {.name = "resume-skips-one",
       .description = "GetTree resumes one Directory past its page token",
       .make = [] { return intercept<ResumeSkipsOne>(method::kGetTree); },
       .expect = {.filter = filter, .fails = {"cas.get_tree.page_token_resumes"}}},
      {.name = "page-size-ignored",
       .description = "GetTree ignores page_size: the whole tree comes in one message",
       .make = [] { return intercept<PageSizeIgnored>(method::kGetTree); },
       .expect = {.filter = filter,
                  .warns = {"cas.get_tree.page_size_bound"},
                  .extra_args = strict}},
      {.name = "node-properties-dropped",
       .description = "GetTree returns Directories re-encoded without their files' "
                      "node_properties",
       .make = [] { return intercept<NodePropertiesDropped>(method::kGetTree); },
       .expect = {.filter = filter + ",common.canonical_proto_encoding",
                  .fails = {"cas.get_tree.directories_hash_to_references",
                            "common.canonical_proto_encoding"}}},
      {.name = "shared-subtree-cycle",
       .description = "GetTree takes a Directory referenced twice for a cycle and fails with "
                      "FAILED_PRECONDITION",
       .make = [] { return tapped<SharedSubtreeIsCycle>(method::kGetTree); },
       .expect = {.filter = filter, .fails = {"cas.get_tree.shared_subtrees"}}},
      {.name = "foreign-page-token-accepted",
       .description = "GetTree takes a page_token it cannot parse for no token",
       .make = [] { return intercept<ForeignTokenIgnored>(method::kGetTree); },
       .expect = {.filter = filter,
                  .warns = {"cas.get_tree.rejects_foreign_page_token"},
                  .extra_args = strict}},
      {.name = "non-directory-root-ok",
       .description = "GetTree of a stored blob that is not a Directory ends OK with nothing",
       .make = [] { return tapped<NonDirectoryRootOk>(method::kGetTree); },
       .expect = {.filter = filter,
                  .warns = {"cas.get_tree.rejects_non_directory_root"},
                  .extra_args = strict}},
      {.name = "get-tree-sha256-only",
       .description = "GetTree reads every tree as SHA-256, whatever digest_function says",
       .make = [] { return intercept<Sha256Only>(method::kGetTree); },
       .expect = {.filter = filter + ",capabilities.listed_functions_work",
                  .fails = {"cas.get_tree.uses_request_digest_function",
                            "capabilities.listed_functions_work"}}},
  };
}

}  // namespace faulty
