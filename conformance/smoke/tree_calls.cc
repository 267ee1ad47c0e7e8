// GetTree over a small uploaded tree, one directory per page, following page tokens
// (shared/reapi/cas.md 4).

#include <set>

#include "smoke.h"

namespace smoke {
namespace {

v2::FileNode file_node(std::string name, const v2::Digest& digest, bool executable) {
  v2::FileNode node;
  node.set_name(std::move(name));
  *node.mutable_digest() = digest;
  node.set_is_executable(executable);
  return node;
}

v2::DirectoryNode directory_node(std::string name, const v2::Digest& digest) {
  v2::DirectoryNode node;
  node.set_name(std::move(name));
  *node.mutable_digest() = digest;
  return node;
}

// More calls than this for four directories means the server is not making progress.
constexpr int kMaxCalls = 8;

}  // namespace

void get_tree_calls(Smoke& s) {
  // root -> {a, b}, b -> {c}; a and c each hold a file unique to this run, so every
  // Directory (and hence every digest) is new.
  const std::string file_a = s.random.bytes(static_cast<std::size_t>(s.random.between(10, 500)));
  const std::string file_c = s.random.bytes(static_cast<std::size_t>(s.random.between(10, 500)));
  v2::Directory a, b, c, root;
  *a.add_files() = file_node("tool.sh", s.digest_proto(file_a), true);
  *c.add_files() = file_node("data.bin", s.digest_proto(file_c), false);
  *b.add_directories() = directory_node("c", s.digest_proto(c.SerializeAsString()));
  // Children sorted by name, as canonical Directories are.
  *root.add_directories() = directory_node("a", s.digest_proto(a.SerializeAsString()));
  *root.add_directories() = directory_node("b", s.digest_proto(b.SerializeAsString()));

  std::vector<Blob> blobs;
  std::set<std::string> expected;
  for (const v2::Directory* d : {&root, &a, &b, &c}) {
    std::string bytes = d->SerializeAsString();
    expected.insert(s.digest(bytes).hash);
    blobs.push_back({s.digest_proto(bytes), std::move(bytes)});
  }
  blobs.push_back({s.digest_proto(file_a), file_a});
  blobs.push_back({s.digest_proto(file_c), file_c});
  const v2::Digest root_digest = blobs.front().digest;
  upload_blobs(s, "[4 Directories (root -> a, b; b -> c) and 2 files] for GetTree", blobs);

  std::set<std::string> received;
  std::string token;
  for (int call = 1; call <= kMaxCalls; ++call) {
    v2::GetTreeRequest request;
    request.set_instance_name(s.instance());
    *request.mutable_root_digest() = root_digest;
    request.set_page_size(1);
    request.set_page_token(token);
    request.set_digest_function(s.function_proto());
    grpc::ClientContext context;
    s.target.prepare(context);
    auto reader = s.cas->GetTree(&context, request);

    // Read up to the first message with a page token, then continue from that token in a
    // new call (CAS-TREE-06); a stream that ends without one holds the last page.
    v2::GetTreeResponse message;
    std::string next_token;
    int directories = 0;
    while (reader->Read(&message)) {
      for (const v2::Directory& d : message.directories()) {
        received.insert(s.digest(d.SerializeAsString()).hash);
      }
      directories += message.directories_size();
      if (!message.next_page_token().empty()) {
        next_token = message.next_page_token();
        context.TryCancel();
        while (reader->Read(&message)) {
        }
        break;
      }
    }
    const grpc::Status status = reader->Finish();
    const bool last = next_token.empty();

    // Cancelling after the token is our doing; the server may also have finished first.
    const bool status_ok =
        status.ok() || (!last && status.error_code() == grpc::StatusCode::CANCELLED);
    Expect expect;
    expect.that(status_ok, "status OK");
    std::string got = std::to_string(directories) + " director" + (directories == 1 ? "y" : "ies") +
                      (last ? ", last page" : ", next_page_token (rest of stream cancelled)");
    if (directories > 1) got += " (more than page_size 1: CAS-TREE-07 is a SHOULD)";
    if (last || call == kMaxCalls || !status_ok) {
      std::size_t found = 0;
      for (const std::string& h : expected) found += received.count(h);
      expect.that(found == expected.size(), "all 4 directories (CAS-TREE-01)")
          .that(received.size() == found, "only directories of this tree (CAS-TREE-08)")
          .that(last, "tree finished within " + std::to_string(kMaxCalls) + " calls");
      got += "; in total " + std::to_string(found) + "/4 directories over " + std::to_string(call) +
             " call" + (call == 1 ? "" : "s");
    }
    s.report.call("GetTree",
                  "root " + brief(root_digest) + ", page_size 1, page_token " +
                      (token.empty() ? std::string("none") : "'" + token.substr(0, 16) + "'"),
                  status, got, expect);
    if (last || !expect.met()) break;
    token = next_token;
  }
}

}  // namespace smoke
