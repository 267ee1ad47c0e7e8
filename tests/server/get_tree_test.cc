// GetTree of the reference server (shared/reapi/cas.md section 4), with random trees from
// rapidcheck: depth, fan-out, subtrees shared between parents, symlinks, empty directories
// (which are the empty blob, COM-05) and Directories left out of the CAS.

#include <rapidcheck.h>

#include <deque>
#include <map>
#include <set>

#include "server_fixture.h"

namespace reference::testing {
namespace {

using reapi::DigestFunction;

std::string key(const v2::Digest& d) { return d.hash() + "/" + std::to_string(d.size_bytes()); }

v2::Directory directory_with_files(const std::string& salt, int files) {
  v2::Directory d;
  for (int i = 0; i < files; ++i) {
    auto* f = d.add_files();
    f->set_name("f" + std::to_string(i));
    *f->mutable_digest() = make_blob(salt + "/" + std::to_string(i)).digest;
  }
  return d;
}

void add_child(v2::Directory& parent, const std::string& name, const v2::Digest& child) {
  auto* node = parent.add_directories();
  node->set_name(name);
  *node->mutable_digest() = child;
}

Blob directory_blob(const v2::Directory& d, DigestFunction fn = DigestFunction::sha256) {
  return make_blob(d.SerializeAsString(), fn);
}

// A random DAG of Directories. Directory i may reference any earlier one, so subtrees are
// shared; the last one is the root. Some non-root Directories are not uploaded.
struct RandomTree {
  std::vector<Blob> directories;  // every Directory, root last
  std::vector<bool> uploaded;
  std::map<std::string, std::vector<std::string>> children;  // by digest key
};

RandomTree generate_tree() {
  RandomTree tree;
  const auto salt = *rc::gen::arbitrary<std::uint64_t>();
  const int count = *rc::gen::inRange(1, 41);
  for (int i = 0; i < count; ++i) {
    v2::Directory d;
    const int files = *rc::gen::inRange(0, 5) < 3 ? 0 : *rc::gen::inRange(1, 4);
    for (int f = 0; f < files; ++f) {
      auto* file = d.add_files();
      file->set_name("file" + std::to_string(f));
      file->set_is_executable(*rc::gen::arbitrary<bool>());
      *file->mutable_digest() =
          make_blob(std::to_string(salt) + "/" + std::to_string(i) + "/" + std::to_string(f))
              .digest;
    }
    const int fan_out = i == 0 ? 0 : *rc::gen::inRange(0, std::min(i, 5) + 1);
    std::vector<std::string> child_keys;
    for (int c = 0; c < fan_out; ++c) {
      const auto child = static_cast<std::size_t>(*rc::gen::inRange(0, i));
      add_child(d, "dir" + std::to_string(c), tree.directories[child].digest);
      child_keys.push_back(key(tree.directories[child].digest));
    }
    const int links = *rc::gen::inRange(0, 3);
    for (int l = 0; l < links; ++l) {
      auto* link = d.add_symlinks();
      link->set_name("link" + std::to_string(l));
      link->set_target(*rc::gen::element<std::string>("../up", "/absolute/target", "sibling") +
                       std::to_string(salt % 1000));
    }
    Blob blob = directory_blob(d);
    tree.children[key(blob.digest)] = child_keys;
    tree.directories.push_back(std::move(blob));
    const bool is_root = i == count - 1;
    tree.uploaded.push_back(is_root || *rc::gen::inRange(0, 10) != 0);
  }
  return tree;
}

class GetTreeTest : public ServerTest {
 protected:
  // Every Directory GetTree must return for `root` (CAS-TREE-01, CAS-TREE-03): reachable
  // through stored Directories only. `stored` says whether a digest is in the CAS.
  static std::set<std::string> reachable(
      const std::string& root, const std::map<std::string, std::vector<std::string>>& children,
      const std::function<bool(const std::string&)>& stored) {
    std::set<std::string> out;
    std::deque<std::string> queue{root};
    std::set<std::string> seen{root};
    while (!queue.empty()) {
      const std::string d = queue.front();
      queue.pop_front();
      if (!stored(d)) continue;
      out.insert(d);
      auto it = children.find(d);
      if (it == children.end()) continue;
      for (const auto& c : it->second) {
        if (seen.insert(c).second) queue.push_back(c);
      }
    }
    return out;
  }

  // Follows next_page_token: reads a stream until its first message with a token, cancels it
  // and continues from that token in a new call (CAS-TREE-06), until a message with an empty
  // token. Checks the page bound on every message (CAS-TREE-07).
  grpc::Status get_tree_resuming(const v2::Digest& root, std::int32_t page_size,
                                 std::vector<std::string>& digests, int& calls) {
    std::string token;
    calls = 0;
    for (;;) {
      if (++calls > 1000) return grpc::Status(grpc::StatusCode::INTERNAL, "too many pages");
      v2::GetTreeRequest request;
      *request.mutable_root_digest() = root;
      request.set_page_size(page_size);
      request.set_page_token(token);
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      auto reader = cas().GetTree(&ctx, request);
      v2::GetTreeResponse response;
      bool got_message = false;
      token.clear();
      while (reader->Read(&response)) {
        got_message = true;
        if (page_size > 0 && response.directories_size() > page_size) {
          return grpc::Status(grpc::StatusCode::INTERNAL, "page over page_size");
        }
        for (const auto& d : directory_digests({response})) digests.push_back(d);
        if (!response.next_page_token().empty()) {
          token = response.next_page_token();
          ctx.TryCancel();
          break;
        }
      }
      const grpc::Status status = reader->Finish();
      if (token.empty()) {
        if (!status.ok()) return status;
        if (!got_message) return grpc::Status(grpc::StatusCode::INTERNAL, "no message");
        return grpc::Status::OK;
      }
      // The stream was cancelled by us after the token (or finished first).
      if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) return status;
    }
  }
};

// CAS-TREE-01, -03, -04, -05, -07, -08, -09, COM-05, COM-17: random trees come back as
// exactly the reachable stored Directories, each hashing to a referenced digest, within
// page_size per message, every message but the last carrying a token.
TEST_P(GetTreeTest, RandomTreesComeBackWhole) {
  std::set<std::string> ever_uploaded;
  const std::string empty = key(reapi::to_proto(reapi::empty_digest(DigestFunction::sha256)));
  check_property(40, 100, [&] {
    const RandomTree tree = generate_tree();
    std::vector<Blob> to_upload;
    for (std::size_t i = 0; i < tree.directories.size(); ++i) {
      if (tree.uploaded[i]) to_upload.push_back(tree.directories[i]);
    }
    RC_ASSERT(bool(upload(to_upload)));
    for (const Blob& b : to_upload) ever_uploaded.insert(key(b.digest));
    const v2::Digest root = tree.directories.back().digest;
    const auto expected = reachable(key(root), tree.children, [&](const std::string& d) {
      return d == empty || ever_uploaded.count(d) > 0;
    });
    const auto page_size = *rc::gen::inRange<std::int32_t>(0, 9);

    const TreeCall call = get_tree(root, page_size);
    RC_ASSERT(call.status.ok());
    RC_ASSERT(!call.messages.empty());
    for (std::size_t i = 0; i < call.messages.size(); ++i) {
      const auto& m = call.messages[i];
      RC_ASSERT(m.directories_size() > 0);
      if (page_size > 0) RC_ASSERT(m.directories_size() <= page_size);
      RC_ASSERT(m.next_page_token().empty() == (i + 1 == call.messages.size()));
    }
    const auto digests = directory_digests(call.messages);
    const std::set<std::string> returned(digests.begin(), digests.end());
    RC_ASSERT(returned == expected);
    RC_ASSERT(digests.size() == returned.size());  // each Directory once

    std::vector<std::string> resumed;
    int calls = 0;
    const grpc::Status status = get_tree_resuming(root, page_size, resumed, calls);
    RC_ASSERT(status.ok());
    RC_ASSERT(std::set<std::string>(resumed.begin(), resumed.end()) == expected);
    RC_ASSERT(calls == static_cast<int>(call.messages.size()));
  });
}

// CAS-TREE-05, CAS-TREE-06: with no page_size the server still pages a wide tree (1000 per
// message), and the token resumes the rest.
TEST_P(GetTreeTest, WideTreeIsPagedWithoutPageSize) {
  v2::Directory root_dir;
  std::vector<Blob> blobs;
  std::map<std::string, std::vector<std::string>> children;
  for (int i = 0; i < 1100; ++i) {
    const Blob leaf = directory_blob(directory_with_files("wide-" + std::to_string(i), 1));
    char name[16];
    std::snprintf(name, sizeof name, "d%04d", i);
    add_child(root_dir, name, leaf.digest);
    blobs.push_back(leaf);
  }
  const Blob root = directory_blob(root_dir);
  blobs.push_back(root);
  ASSERT_TRUE(upload(blobs));
  std::set<std::string> expected;
  for (const Blob& b : blobs) expected.insert(key(b.digest));

  const TreeCall call = get_tree(root.digest);
  ASSERT_TRUE(has_code(call.status, grpc::StatusCode::OK));
  ASSERT_EQ(call.messages.size(), 2u);
  EXPECT_EQ(call.messages[0].directories_size(), 1000);
  EXPECT_FALSE(call.messages[0].next_page_token().empty());
  EXPECT_TRUE(call.messages[1].next_page_token().empty());
  const auto digests = directory_digests(call.messages);
  EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()), expected);

  // The root comes first, then its children (CAS-TREE-04: the order clients that assume one
  // expect).
  ASSERT_FALSE(digests.empty());
  EXPECT_EQ(digests.front(), key(root.digest));

  const TreeCall rest = get_tree(root.digest, 0, call.messages[0].next_page_token());
  ASSERT_TRUE(has_code(rest.status, grpc::StatusCode::OK));
  ASSERT_EQ(rest.messages.size(), 1u);
  EXPECT_EQ(rest.messages[0].directories_size(), 101);
  EXPECT_TRUE(rest.messages[0].next_page_token().empty());
}

// CAS-TREE-07, BS-READ-10-like transport bound: big Directories are spread over messages
// that a default 4 MiB client can receive.
TEST_P(GetTreeTest, LargeDirectoriesFitDefaultClientMessages) {
  v2::Directory root_dir;
  std::set<std::string> expected;
  for (int i = 0; i < 6; ++i) {
    const Blob big = directory_blob(directory_with_files("big-" + std::to_string(i), 8000));
    ASSERT_GT(big.data.size(), 500000u);
    ASSERT_TRUE(upload({big}));
    add_child(root_dir, "big" + std::to_string(i), big.digest);
    expected.insert(key(big.digest));
  }
  const Blob root = directory_blob(root_dir);
  ASSERT_TRUE(upload({root}));
  expected.insert(key(root.digest));
  const TreeCall call = get_tree(root.digest);
  ASSERT_TRUE(has_code(call.status, grpc::StatusCode::OK));
  EXPECT_GT(call.messages.size(), 1u);
  for (const auto& m : call.messages) EXPECT_LE(m.ByteSizeLong(), std::size_t{4} << 20);
  const auto digests = directory_digests(call.messages);
  EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()), expected);
}

// CAS-TREE-02: a missing root is NOT_FOUND and delivers no Directory.
TEST_P(GetTreeTest, MissingRootIsNotFound) {
  const TreeCall call = get_tree(absent_digest(10));
  EXPECT_TRUE(has_code(call.status, grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(directory_digests(call.messages).empty());
}

// CAS-TREE-03: a missing subtree (and what only it reaches) is left out; the call is OK.
TEST_P(GetTreeTest, MissingSubtreeIsSkipped) {
  const Blob n = directory_blob(directory_with_files("n", 1));
  v2::Directory m_dir = directory_with_files("m", 1);
  add_child(m_dir, "n", n.digest);
  const Blob m = directory_blob(m_dir);
  const Blob a = directory_blob(directory_with_files("a", 2));
  v2::Directory r_dir;
  add_child(r_dir, "a", a.digest);
  add_child(r_dir, "m", m.digest);
  const Blob r = directory_blob(r_dir);
  ASSERT_TRUE(upload({a, r, n}));
  const TreeCall call = get_tree(r.digest);
  ASSERT_TRUE(has_code(call.status, grpc::StatusCode::OK));
  const auto digests = directory_digests(call.messages);
  EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()),
            (std::set<std::string>{key(r.digest), key(a.digest)}));
}

// CAS-TREE-03 with the tree cache: an incomplete walk is not cached, so a subtree uploaded
// later shows up; the complete tree is then served (from the cache) unchanged.
TEST_P(GetTreeTest, SubtreeUploadedLaterShowsUp) {
  const Blob n = directory_blob(directory_with_files("late-n", 1));
  v2::Directory m_dir = directory_with_files("late-m", 2);
  add_child(m_dir, "n", n.digest);
  const Blob m = directory_blob(m_dir);
  const Blob a = directory_blob(directory_with_files("late-a", 1));
  v2::Directory r_dir;
  add_child(r_dir, "a", a.digest);
  add_child(r_dir, "m", m.digest);
  const Blob r = directory_blob(r_dir);
  ASSERT_TRUE(upload({a, r}));
  for (int round = 0; round < 2; ++round) {
    const auto digests = directory_digests(get_tree(r.digest).messages);
    EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()),
              (std::set<std::string>{key(r.digest), key(a.digest)}));
  }
  ASSERT_TRUE(upload({m}));
  const std::set<std::string> with_m{key(r.digest), key(a.digest), key(m.digest)};
  {
    const auto digests = directory_digests(get_tree(r.digest).messages);
    EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()), with_m);
  }
  ASSERT_TRUE(upload({n}));
  const std::set<std::string> whole{key(r.digest), key(a.digest), key(m.digest), key(n.digest)};
  for (int round = 0; round < 3; ++round) {
    const TreeCall call = get_tree(r.digest, round);  // page sizes 0, 1, 2
    ASSERT_TRUE(has_code(call.status, grpc::StatusCode::OK));
    std::vector<std::string> digests = directory_digests(call.messages);
    std::string token = call.messages.empty() ? "" : call.messages.back().next_page_token();
    EXPECT_TRUE(token.empty());
    EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()), whole);
  }
}

// CAS-TREE-11: a root that is not a Directory is refused with INVALID_ARGUMENT.
TEST_P(GetTreeTest, RootThatIsNotADirectoryIsInvalidArgument) {
  const Blob garbage = make_blob(std::string("\xff\xff\xff", 3));
  ASSERT_TRUE(upload({garbage}));
  const TreeCall call = get_tree(garbage.digest);
  EXPECT_TRUE(has_code(call.status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(directory_digests(call.messages).empty());
}

// CAS-TREE-11: a Directory whose child digest is malformed is refused too.
TEST_P(GetTreeTest, MalformedChildDigestIsInvalidArgument) {
  v2::Directory r_dir;
  add_child(r_dir, "bad", digest("not-a-hash", 3));
  const Blob r = directory_blob(r_dir);
  ASSERT_TRUE(upload({r}));
  EXPECT_TRUE(has_code(get_tree(r.digest).status, grpc::StatusCode::INVALID_ARGUMENT));
}

// CAS-TREE-12, COM-05: the empty digest as root gives exactly one empty Directory.
TEST_P(GetTreeTest, EmptyRootIsOneEmptyDirectory) {
  const TreeCall call = get_tree(reapi::to_proto(reapi::empty_digest(DigestFunction::sha256)));
  ASSERT_TRUE(has_code(call.status, grpc::StatusCode::OK));
  ASSERT_EQ(call.messages.size(), 1u);
  ASSERT_EQ(call.messages[0].directories_size(), 1);
  EXPECT_EQ(call.messages[0].directories(0).ByteSizeLong(), 0u);
  EXPECT_TRUE(call.messages[0].next_page_token().empty());
}

// CAS-TREE-10: a token the server did not issue, or issued for another root, is refused.
TEST_P(GetTreeTest, BadPageTokenIsInvalidArgument) {
  v2::Directory r_dir;
  v2::Directory s_dir;
  std::vector<Blob> blobs;
  for (int i = 0; i < 3; ++i) {
    const Blob child = directory_blob(directory_with_files("tok" + std::to_string(i), 1));
    add_child(r_dir, "c" + std::to_string(i), child.digest);
    add_child(s_dir, "s" + std::to_string(i), child.digest);
    blobs.push_back(child);
  }
  const Blob r = directory_blob(r_dir);
  const Blob s = directory_blob(s_dir);
  blobs.push_back(r);
  blobs.push_back(s);
  ASSERT_TRUE(upload(blobs));
  for (const std::string& token :
       {std::string("not-a-token"), std::string("1.abc"), std::string("1"), std::string(".x")}) {
    SCOPED_TRACE(token);
    EXPECT_TRUE(has_code(get_tree(r.digest, 1, token).status, grpc::StatusCode::INVALID_ARGUMENT));
  }
  const TreeCall first = get_tree(r.digest, 1);
  ASSERT_TRUE(first.status.ok());
  ASSERT_GT(first.messages.size(), 1u);
  const std::string token = first.messages[0].next_page_token();
  EXPECT_TRUE(has_code(get_tree(s.digest, 1, token).status, grpc::StatusCode::INVALID_ARGUMENT));
  // A token with its offset altered does not verify either.
  std::string altered = token;
  altered[0] = altered[0] == '9' ? '8' : static_cast<char>(altered[0] + 1);
  EXPECT_TRUE(has_code(get_tree(r.digest, 1, altered).status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(get_tree(r.digest, 1, token).status, grpc::StatusCode::OK));
}

// CAS-TREE-07 (page_size is a count): a negative page_size is refused.
TEST_P(GetTreeTest, NegativePageSizeIsInvalidArgument) {
  const Blob r = directory_blob(directory_with_files("negative", 1));
  ASSERT_TRUE(upload({r}));
  EXPECT_TRUE(has_code(get_tree(r.digest, -1).status, grpc::StatusCode::INVALID_ARGUMENT));
}

// CAS-TREE-13, COM-07: a tree of SHA-1 digests, with the function explicit or inferred.
TEST_P(GetTreeTest, Sha1Tree) {
  const Blob leaf = directory_blob(directory_with_files("sha1-leaf", 2), DigestFunction::sha1);
  v2::Directory r_dir;
  add_child(r_dir, "leaf", leaf.digest);
  add_child(r_dir, "empty", reapi::to_proto(reapi::empty_digest(DigestFunction::sha1)));
  const Blob r = directory_blob(r_dir, DigestFunction::sha1);
  ASSERT_TRUE(upload({leaf, r}, "", v2::DigestFunction::SHA1));
  const std::set<std::string> expected{
      key(r.digest), key(leaf.digest),
      key(reapi::to_proto(reapi::empty_digest(DigestFunction::sha1)))};
  for (int fn : {static_cast<int>(v2::DigestFunction::SHA1), 0}) {
    const TreeCall call = get_tree(r.digest, 0, "", "", fn);
    ASSERT_TRUE(has_code(call.status, grpc::StatusCode::OK));
    const auto digests = directory_digests(call.messages, DigestFunction::sha1);
    EXPECT_EQ(std::set<std::string>(digests.begin(), digests.end()), expected);
  }
}

// COM-09, COM-02: an unsupported function or a malformed root digest is refused.
TEST_P(GetTreeTest, BadRootDigestIsInvalidArgument) {
  EXPECT_TRUE(has_code(get_tree(digest("xyz", 3)).status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(has_code(get_tree(absent_digest(), 0, "", "", v2::DigestFunction::BLAKE3).status,
                       grpc::StatusCode::INVALID_ARGUMENT));
}

// COM-11, COM-13: "a/b" is served; unknown instances are refused.
TEST_P(GetTreeTest, Instances) {
  const Blob r = directory_blob(directory_with_files("instance tree", 1));
  ASSERT_TRUE(upload({r}, "a/b"));
  const TreeCall call = get_tree(r.digest, 0, "", "a/b");
  ASSERT_TRUE(has_code(call.status, grpc::StatusCode::OK));
  EXPECT_EQ(directory_digests(call.messages), std::vector<std::string>{key(r.digest)});
  EXPECT_TRUE(
      has_code(get_tree(r.digest, 0, "", "elsewhere").status, grpc::StatusCode::INVALID_ARGUMENT));
}

INSTANTIATE_ON_BOTH_BACKENDS(GetTreeTest);

}  // namespace
}  // namespace reference::testing
