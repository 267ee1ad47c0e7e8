// ActionCache of the reference server (shared/reapi/action-cache.md).

#include <google/protobuf/util/message_differencer.h>

#include "server_fixture.h"

namespace reference::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

class ActionCacheTest : public ServerTest {
 protected:
  // The digest of a (never uploaded) Action; the server does not check the CAS for it.
  static v2::Digest action_digest(const std::string& name) {
    v2::Action action;
    action.mutable_command_digest()->set_hash(make_blob("command " + name).digest.hash());
    action.mutable_command_digest()->set_size_bytes(10);
    return make_blob(action.SerializeAsString()).digest;
  }

  grpc::Status update(const v2::Digest& action, const v2::ActionResult& result,
                      v2::ActionResult* stored = nullptr, const std::string& instance = "",
                      int digest_function = 0) {
    v2::UpdateActionResultRequest request;
    request.set_instance_name(instance);
    *request.mutable_action_digest() = action;
    *request.mutable_action_result() = result;
    request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
    v2::ActionResult response;
    grpc::Status status = action_cache().UpdateActionResult(context().get(), request, &response);
    if (stored != nullptr) *stored = response;
    return status;
  }

  grpc::Status get(const v2::GetActionResultRequest& request, v2::ActionResult& result) {
    return action_cache().GetActionResult(context().get(), request, &result);
  }

  grpc::Status get(const v2::Digest& action, v2::ActionResult& result,
                   const std::string& instance = "", int digest_function = 0) {
    v2::GetActionResultRequest request;
    request.set_instance_name(instance);
    *request.mutable_action_digest() = action;
    request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
    return get(request, result);
  }

  // A result with two output files, one output directory (a Tree with a nested directory),
  // stdout, stderr, exit code 3 and a worker name; every blob it names is uploaded.
  v2::ActionResult full_result(const std::string& tag) {
    const Blob a = make_blob("output a " + tag);
    const Blob b = make_blob("output b " + tag);
    const Blob c = make_blob("tree file c " + tag);
    const Blob d = make_blob("tree file d " + tag);
    const Blob out = make_blob("stdout " + tag);
    const Blob err = make_blob("stderr " + tag);
    v2::Directory child;
    auto* fd = child.add_files();
    fd->set_name("d");
    *fd->mutable_digest() = d.digest;
    v2::Tree tree;
    auto* fc = tree.mutable_root()->add_files();
    fc->set_name("c");
    *fc->mutable_digest() = c.digest;
    auto* node = tree.mutable_root()->add_directories();
    node->set_name("child");
    *node->mutable_digest() = make_blob(child.SerializeAsString()).digest;
    *tree.add_children() = child;
    const Blob tree_blob = make_blob(tree.SerializeAsString());
    EXPECT_TRUE(upload({a, b, c, d, out, err, tree_blob}));

    v2::ActionResult result;
    auto* oa = result.add_output_files();
    oa->set_path("out/a");
    *oa->mutable_digest() = a.digest;
    oa->set_is_executable(true);
    auto* ob = result.add_output_files();
    ob->set_path("out/b");
    *ob->mutable_digest() = b.digest;
    auto* dir = result.add_output_directories();
    dir->set_path("out/dir");
    *dir->mutable_tree_digest() = tree_blob.digest;
    result.set_exit_code(3);
    *result.mutable_stdout_digest() = out.digest;
    *result.mutable_stderr_digest() = err.digest;
    result.mutable_execution_metadata()->set_worker("w");
    return result;
  }
};

// AC-01: a miss is NOT_FOUND.
TEST_P(ActionCacheTest, MissIsNotFound) {
  v2::ActionResult result;
  EXPECT_TRUE(has_code(get(action_digest("never stored"), result), grpc::StatusCode::NOT_FOUND));
}

// AC-02, AC-03, AC-14: update, then get returns the stored result; the update's answer is
// the stored result too.
TEST_P(ActionCacheTest, UpdateThenGetReturnsTheResult) {
  const v2::ActionResult result = full_result("round trip");
  const v2::Digest action = action_digest("round trip");
  v2::ActionResult stored;
  ASSERT_TRUE(has_code(update(action, result, &stored), grpc::StatusCode::OK));
  EXPECT_TRUE(MessageDifferencer::Equals(stored, result)) << stored.DebugString();
  v2::ActionResult fetched;
  ASSERT_TRUE(has_code(get(action, fetched), grpc::StatusCode::OK));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, result)) << fetched.DebugString();
}

// AC-02: an empty result (exit code 0, no outputs) is a valid result.
TEST_P(ActionCacheTest, EmptyResultRoundTrips) {
  const v2::Digest action = action_digest("empty result");
  ASSERT_TRUE(has_code(update(action, v2::ActionResult()), grpc::StatusCode::OK));
  v2::ActionResult fetched;
  ASSERT_TRUE(has_code(get(action, fetched), grpc::StatusCode::OK));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, v2::ActionResult()));
}

// AC-04 (note D1): a result naming a blob the CAS does not have is a miss until the blob is
// uploaded; for an output file, stdout, and an output directory's Tree.
TEST_P(ActionCacheTest, MissingOutputBlobIsNotFoundUntilUploaded) {
  const Blob late_file = make_blob("uploaded late: file");
  const Blob late_stdout = make_blob("uploaded late: stdout");
  v2::Tree tree;
  tree.mutable_root()->add_symlinks()->set_name("only-a-link");
  const Blob late_tree = make_blob(tree.SerializeAsString());

  v2::ActionResult with_file;
  auto* f = with_file.add_output_files();
  f->set_path("f");
  *f->mutable_digest() = late_file.digest;
  v2::ActionResult with_stdout;
  *with_stdout.mutable_stdout_digest() = late_stdout.digest;
  v2::ActionResult with_tree;
  auto* dir = with_tree.add_output_directories();
  dir->set_path("d");
  *dir->mutable_tree_digest() = late_tree.digest;

  const std::vector<std::pair<v2::ActionResult, Blob>> cases{
      {with_file, late_file}, {with_stdout, late_stdout}, {with_tree, late_tree}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const v2::Digest action = action_digest("late " + std::to_string(i));
    ASSERT_TRUE(has_code(update(action, cases[i].first), grpc::StatusCode::OK));
    v2::ActionResult fetched;
    EXPECT_TRUE(has_code(get(action, fetched), grpc::StatusCode::NOT_FOUND));
    ASSERT_TRUE(upload({cases[i].second}));
    EXPECT_TRUE(has_code(get(action, fetched), grpc::StatusCode::OK));
    EXPECT_TRUE(MessageDifferencer::Equals(fetched, cases[i].first));
  }
}

// AC-04: an output directory whose Tree names a file the CAS does not have is a miss (in the
// root and in a child directory).
TEST_P(ActionCacheTest, TreeReferencingMissingFileIsNotFound) {
  for (bool in_child : {false, true}) {
    SCOPED_TRACE(in_child);
    const Blob missing = make_blob("tree file uploaded late " + std::to_string(in_child));
    v2::Tree tree;
    v2::Directory* holder = in_child ? tree.add_children() : tree.mutable_root();
    auto* file = holder->add_files();
    file->set_name("late");
    *file->mutable_digest() = missing.digest;
    const Blob tree_blob = make_blob(tree.SerializeAsString());
    ASSERT_TRUE(upload({tree_blob}));
    v2::ActionResult result;
    auto* dir = result.add_output_directories();
    dir->set_path("out");
    *dir->mutable_tree_digest() = tree_blob.digest;
    const v2::Digest action = action_digest("tree " + std::to_string(in_child));
    ASSERT_TRUE(has_code(update(action, result), grpc::StatusCode::OK));
    v2::ActionResult fetched;
    EXPECT_TRUE(has_code(get(action, fetched), grpc::StatusCode::NOT_FOUND));
    ASSERT_TRUE(upload({missing}));
    EXPECT_TRUE(has_code(get(action, fetched), grpc::StatusCode::OK));
  }
}

// AC-05, AC-06: inline data only when asked for, and then equal to the blobs.
TEST_P(ActionCacheTest, InlineOnlyWhenAsked) {
  const v2::ActionResult result = full_result("inline");
  const v2::Digest action = action_digest("inline");
  ASSERT_TRUE(update(action, result).ok());
  v2::ActionResult plain;
  ASSERT_TRUE(get(action, plain).ok());
  EXPECT_TRUE(plain.stdout_raw().empty());
  EXPECT_TRUE(plain.stderr_raw().empty());
  for (const auto& f : plain.output_files()) EXPECT_TRUE(f.contents().empty()) << f.path();

  v2::GetActionResultRequest request;
  *request.mutable_action_digest() = action;
  request.set_inline_stdout(true);
  request.add_inline_output_files("out/a");
  v2::ActionResult inlined;
  ASSERT_TRUE(get(request, inlined).ok());
  EXPECT_EQ(inlined.stdout_raw(), "stdout inline");
  EXPECT_TRUE(inlined.stderr_raw().empty());
  ASSERT_EQ(inlined.output_files_size(), 2);
  for (const auto& f : inlined.output_files()) {
    EXPECT_EQ(f.contents(), f.path() == "out/a" ? "output a inline" : "") << f.path();
  }

  request.set_inline_stdout(false);
  request.set_inline_stderr(true);
  request.clear_inline_output_files();
  request.add_inline_output_files("out/b");
  request.add_inline_output_files("not/an/output");
  ASSERT_TRUE(get(request, inlined).ok());
  EXPECT_TRUE(inlined.stdout_raw().empty());
  EXPECT_EQ(inlined.stderr_raw(), "stderr inline");
  for (const auto& f : inlined.output_files()) {
    EXPECT_EQ(f.contents(), f.path() == "out/b" ? "output b inline" : "") << f.path();
  }
}

// AC-03, AC-06: inline data given on update is moved into the CAS: the stored result has
// digests and no raw bytes, and the blobs are readable.
TEST_P(ActionCacheTest, InlineDataOnUpdateIsMovedToTheCas) {
  v2::ActionResult result;
  result.set_stdout_raw("raw stdout bytes");
  result.set_stderr_raw("raw stderr bytes");
  auto* file = result.add_output_files();
  file->set_path("inline/file");
  file->set_contents("inline file contents");
  *file->mutable_digest() = make_blob("inline file contents").digest;
  const v2::Digest action = action_digest("moved to cas");
  v2::ActionResult stored;
  ASSERT_TRUE(has_code(update(action, result, &stored), grpc::StatusCode::OK));
  EXPECT_TRUE(stored.stdout_raw().empty());
  EXPECT_TRUE(stored.stderr_raw().empty());
  EXPECT_TRUE(stored.output_files(0).contents().empty());
  EXPECT_TRUE(
      MessageDifferencer::Equals(stored.stdout_digest(), make_blob("raw stdout bytes").digest));
  EXPECT_TRUE(
      MessageDifferencer::Equals(stored.stderr_digest(), make_blob("raw stderr bytes").digest));
  EXPECT_TRUE(is_stored(stored.stdout_digest()));
  EXPECT_TRUE(is_stored(stored.stderr_digest()));
  EXPECT_TRUE(is_stored(stored.output_files(0).digest()));

  v2::ActionResult fetched;
  ASSERT_TRUE(has_code(get(action, fetched), grpc::StatusCode::OK));
  EXPECT_TRUE(MessageDifferencer::Equals(fetched, stored));
  EXPECT_TRUE(fetched.stdout_raw().empty());

  v2::GetActionResultRequest request;
  *request.mutable_action_digest() = action;
  request.set_inline_stdout(true);
  ASSERT_TRUE(get(request, fetched).ok());
  EXPECT_EQ(fetched.stdout_raw(), "raw stdout bytes");
}

// AC-09: inline data that contradicts its digest is refused.
TEST_P(ActionCacheTest, InlineDataNotMatchingItsDigestIsInvalidArgument) {
  v2::ActionResult result;
  result.set_stdout_raw("what the digest says is something else");
  *result.mutable_stdout_digest() = make_blob("something else").digest;
  EXPECT_TRUE(
      has_code(update(action_digest("contradiction"), result), grpc::StatusCode::INVALID_ARGUMENT));
}

// AC-09, AC-11: missing or malformed arguments are INVALID_ARGUMENT, on update and on get.
TEST_P(ActionCacheTest, InvalidArguments) {
  const v2::ActionResult result = full_result("invalid");
  {
    v2::UpdateActionResultRequest no_digest;
    *no_digest.mutable_action_result() = result;
    v2::ActionResult out;
    EXPECT_TRUE(has_code(action_cache().UpdateActionResult(context().get(), no_digest, &out),
                         grpc::StatusCode::INVALID_ARGUMENT));
    v2::UpdateActionResultRequest no_result;
    *no_result.mutable_action_digest() = action_digest("no result");
    EXPECT_TRUE(has_code(action_cache().UpdateActionResult(context().get(), no_result, &out),
                         grpc::StatusCode::INVALID_ARGUMENT));
    v2::GetActionResultRequest get_no_digest;
    EXPECT_TRUE(has_code(get(get_no_digest, out), grpc::StatusCode::INVALID_ARGUMENT));
  }
  const v2::Digest good = action_digest("valid");
  for (const v2::Digest& bad : {digest("xyz", 3), digest(to_upper(good.hash()), 10),
                                digest(good.hash(), -1), digest("", 0)}) {
    SCOPED_TRACE(bad.hash());
    EXPECT_TRUE(has_code(update(bad, result), grpc::StatusCode::INVALID_ARGUMENT));
    v2::ActionResult out;
    EXPECT_TRUE(has_code(get(bad, out), grpc::StatusCode::INVALID_ARGUMENT));
  }
  // Malformed digests inside the result.
  v2::ActionResult bad_file = result;
  *bad_file.mutable_output_files(0)->mutable_digest() = digest("xyz", 3);
  v2::ActionResult bad_tree = result;
  *bad_tree.mutable_output_directories(0)->mutable_tree_digest() = digest(std::string(64, 'G'), 1);
  v2::ActionResult bad_stdout = result;
  *bad_stdout.mutable_stdout_digest() = digest(result.stdout_digest().hash(), -3);
  for (const auto* bad : {&bad_file, &bad_tree, &bad_stdout}) {
    EXPECT_TRUE(has_code(update(good, *bad), grpc::StatusCode::INVALID_ARGUMENT));
  }
  // Nothing was stored by the refused updates.
  v2::ActionResult out;
  EXPECT_TRUE(has_code(get(good, out), grpc::StatusCode::NOT_FOUND));
  // An unsupported digest function.
  EXPECT_TRUE(has_code(update(good, result, nullptr, "", v2::DigestFunction::BLAKE3),
                       grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(
      has_code(get(good, out, "", v2::DigestFunction::BLAKE3), grpc::StatusCode::INVALID_ARGUMENT));
}

// AC-07, CAP-07: a read-only server refuses updates with PERMISSION_DENIED; gets still work.
TEST_P(ActionCacheTest, ReadOnlyIsPermissionDenied) {
  ServerConfig config = default_config();
  config.read_only = true;
  ASSERT_NO_FATAL_FAILURE(restart(config));
  const v2::Digest action = action_digest("read only");
  EXPECT_TRUE(has_code(update(action, v2::ActionResult()), grpc::StatusCode::PERMISSION_DENIED));
  v2::ActionResult out;
  EXPECT_TRUE(has_code(get(action, out), grpc::StatusCode::NOT_FOUND));
}

// AC-13: each instance has its own results for the same action digest.
TEST_P(ActionCacheTest, InstancesAreSeparate) {
  const v2::Digest action = action_digest("per instance");
  v2::ActionResult in_default;
  in_default.set_exit_code(1);
  ASSERT_TRUE(has_code(update(action, in_default), grpc::StatusCode::OK));
  v2::ActionResult out;
  EXPECT_TRUE(has_code(get(action, out, "a/b"), grpc::StatusCode::NOT_FOUND));
  v2::ActionResult in_ab;
  in_ab.set_exit_code(2);
  ASSERT_TRUE(has_code(update(action, in_ab, nullptr, "a/b"), grpc::StatusCode::OK));
  ASSERT_TRUE(get(action, out, "a/b").ok());
  EXPECT_EQ(out.exit_code(), 2);
  ASSERT_TRUE(get(action, out, "").ok());
  EXPECT_EQ(out.exit_code(), 1);
}

// AC-15: a second update replaces the first (later write wins, never a mix).
TEST_P(ActionCacheTest, OverwriteReturnsTheLaterResult) {
  const v2::Digest action = action_digest("overwrite");
  v2::ActionResult first = full_result("first");
  v2::ActionResult second;
  second.set_exit_code(7);
  *second.mutable_stdout_digest() = make_blob("second stdout").digest;
  ASSERT_TRUE(upload({make_blob("second stdout")}));
  ASSERT_TRUE(update(action, first).ok());
  ASSERT_TRUE(update(action, second).ok());
  v2::ActionResult out;
  ASSERT_TRUE(get(action, out).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(out, second)) << out.DebugString();
}

// AC-12, COM-08: digest_function given on update and left unset on get is a hit, and the
// other way round; a SHA-1 action digest is found with the function inferred.
TEST_P(ActionCacheTest, ExplicitAndInferredDigestFunctionAgree) {
  const v2::Digest explicit_then_unset = action_digest("explicit then unset");
  const v2::Digest unset_then_explicit = action_digest("unset then explicit");
  v2::ActionResult result;
  result.set_exit_code(4);
  ASSERT_TRUE(update(explicit_then_unset, result, nullptr, "", v2::DigestFunction::SHA256).ok());
  ASSERT_TRUE(update(unset_then_explicit, result).ok());
  v2::ActionResult out;
  EXPECT_TRUE(has_code(get(explicit_then_unset, out), grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(get(unset_then_explicit, out, "", v2::DigestFunction::SHA256),
                       grpc::StatusCode::OK));

  const v2::Digest sha1_action = make_blob("sha1 action", reapi::DigestFunction::sha1).digest;
  const Blob sha1_output = make_blob("sha1 output", reapi::DigestFunction::sha1);
  ASSERT_TRUE(upload({sha1_output}, "", v2::DigestFunction::SHA1));
  v2::ActionResult sha1_result;
  auto* file = sha1_result.add_output_files();
  file->set_path("o");
  *file->mutable_digest() = sha1_output.digest;
  ASSERT_TRUE(has_code(update(sha1_action, sha1_result, nullptr, "", v2::DigestFunction::SHA1),
                       grpc::StatusCode::OK));
  EXPECT_TRUE(has_code(get(sha1_action, out), grpc::StatusCode::OK));
  EXPECT_TRUE(MessageDifferencer::Equals(out, sha1_result));
  // Under SHA-256 rules a SHA-1 output digest is malformed.
  EXPECT_TRUE(
      has_code(update(action_digest("mixed"), sha1_result), grpc::StatusCode::INVALID_ARGUMENT));
}

// COM-13: unknown instances are refused by both methods.
TEST_P(ActionCacheTest, UnknownInstanceIsInvalidArgument) {
  const v2::Digest action = action_digest("unknown instance");
  EXPECT_TRUE(has_code(update(action, v2::ActionResult(), nullptr, "nope"),
                       grpc::StatusCode::INVALID_ARGUMENT));
  v2::ActionResult out;
  EXPECT_TRUE(has_code(get(action, out, "nope"), grpc::StatusCode::INVALID_ARGUMENT));
}

INSTANTIATE_ON_BOTH_BACKENDS(ActionCacheTest);

}  // namespace
}  // namespace reference::testing
