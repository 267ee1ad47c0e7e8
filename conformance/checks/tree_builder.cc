#include "checks/tree_builder.h"

#include <algorithm>
#include <deque>
#include <ostream>

#include "reapi/digest.h"

namespace conformance {

namespace {

template <typename Node>
void sort_by_name(google::protobuf::RepeatedPtrField<Node>& nodes) {
  std::sort(nodes.begin(), nodes.end(),
            [](const Node& a, const Node& b) { return a.name() < b.name(); });
}

}  // namespace

void showValue(const TreeShape& shape, std::ostream& os) {
  os << shape.dirs.size() << " directories:";
  for (std::size_t i = 0; i < shape.dirs.size(); ++i) {
    const DirShape& d = shape.dirs[i];
    os << " #" << i << "[";
    if (d.missing) os << "missing ";
    os << d.file_sizes.size() << "f " << d.symlinks << "l";
    if (!d.children.empty()) {
      os << " ->";
      for (int c : d.children) os << " " << c;
    }
    os << "]";
  }
}

rc::Gen<TreeShape> gen_tree_shape(TreeOptions options) {
  return rc::gen::exec([options] {
    const int low = std::max(options.min_dirs, options.with_missing || options.with_shared ? 2 : 1);
    const int n = *rc::gen::inRange(low, std::max(low, options.max_dirs) + 1);
    TreeShape shape;
    shape.dirs.resize(static_cast<std::size_t>(n));
    for (int j = 1; j < n; ++j) {
      // The previous node makes long chains (depth); any earlier node spreads (fan-out).
      const int parent =
          *rc::gen::weightedOneOf<int>({{1, rc::gen::just(j - 1)}, {2, rc::gen::inRange(0, j)}});
      shape.dirs[static_cast<std::size_t>(parent)].children.push_back(j);
    }
    // Further references to nodes that already have a parent: shared subtrees, or the
    // same Directory twice in one parent under two names.
    const int extra = n < 2 ? 0 : *rc::gen::inRange(options.with_shared ? 1 : 0, n / 2 + 2);
    for (int e = 0; e < extra; ++e) {
      const int child = *rc::gen::inRange(1, n);
      const int parent = *rc::gen::inRange(0, child);
      shape.dirs[static_cast<std::size_t>(parent)].children.push_back(child);
    }
    for (DirShape& d : shape.dirs) {
      // About one in five has neither files nor symlinks (an empty leaf, if no children).
      if (*rc::gen::weightedOneOf<bool>({{1, rc::gen::just(true)}, {4, rc::gen::just(false)}})) {
        continue;
      }
      d.file_sizes =
          *rc::gen::resize(3, rc::gen::container<std::vector<int>>(rc::gen::weightedOneOf<int>(
                                  {{1, rc::gen::just(0)}, {4, rc::gen::inRange(1, 200)}})));
      d.symlinks = *rc::gen::inRange(0, 3);
      d.executable_props = *rc::gen::arbitrary<bool>();
    }
    if (options.with_missing && n > 1) {
      const int count = *rc::gen::inRange(1, std::max(2, n / 3 + 1));
      for (int m = 0; m < count; ++m) {
        shape.dirs[static_cast<std::size_t>(*rc::gen::inRange(1, n))].missing = true;
      }
    }
    return shape;
  });
}

std::string key_of(const v2::Digest& digest) { return reapi::from_proto(digest).to_string(); }

std::string key_of(const v2::Directory& directory, reapi::DigestFunction fn) {
  return reapi::digest_of(fn, directory.SerializeAsString()).to_string();
}

std::string brief_key(const std::string& key) {
  const auto slash = key.rfind('/');
  if (slash == std::string::npos || slash <= 12) return key;
  return key.substr(0, 12) + ".." + key.substr(slash);
}

std::string brief_keys(const std::set<std::string>& keys, std::size_t limit) {
  std::string out = "[";
  std::size_t i = 0;
  for (const std::string& k : keys) {
    if (i == limit) {
      out += ", ... " + std::to_string(keys.size()) + " in all";
      break;
    }
    if (i++ > 0) out += ", ";
    out += brief_key(k);
  }
  return out + "]";
}

BuiltTree build_tree(Context& ctx, const TreeShape& shape, reapi::DigestFunction fn) {
  BuiltTree tree;
  tree.function = fn;
  std::string tag = ctx.uuid();
  tag.erase(std::remove(tag.begin(), tag.end(), '-'), tag.end());
  tag.resize(16);
  const std::string empty_key = reapi::empty_digest(fn).to_string();

  const std::size_t n = shape.dirs.size();
  std::vector<v2::Digest> digests(n);
  std::set<std::string> stored{empty_key};  // the empty blob is always there (COM-05)
  std::set<std::string> uploaded_blobs;
  auto add_upload = [&](Blob blob) {
    // The empty blob needs no upload; identical blobs go up once.
    if (blob.data.empty() || !uploaded_blobs.insert(key_of(blob.digest)).second) return;
    tree.uploads.push_back(std::move(blob));
  };

  // Children have higher indices, so building from the last node up has every
  // child's digest ready when its parent is built.
  for (std::size_t i = n; i-- > 0;) {
    const DirShape& d = shape.dirs[i];
    const bool missing = d.missing && i != 0;
    v2::Directory dir;
    int files = 0;
    auto add_file = [&](std::string data) {
      Blob blob = blob_with(fn, std::move(data));
      v2::FileNode* f = dir.add_files();
      f->set_name("f" + std::to_string(files++) + "-" + tag);
      *f->mutable_digest() = blob.digest;
      if (d.executable_props) {
        f->set_is_executable(true);
        f->mutable_node_properties()->mutable_unix_mode()->set_value(0755);
      }
      add_upload(std::move(blob));
    };
    for (int size : d.file_sizes) add_file(ctx.unique_bytes(static_cast<std::size_t>(size)));
    if (missing) add_file(ctx.unique_bytes(32));  // makes it a Directory nobody has
    for (std::size_t c = 0; c < d.children.size(); ++c) {
      v2::DirectoryNode* node = dir.add_directories();
      node->set_name("d" + std::to_string(c) + "-" + tag);
      *node->mutable_digest() = digests[static_cast<std::size_t>(d.children[c])];
    }
    for (int s = 0; s < d.symlinks; ++s) {
      v2::SymlinkNode* link = dir.add_symlinks();
      link->set_name("l" + std::to_string(s) + "-" + tag);
      link->set_target("../t" + std::to_string(s));
    }
    // Canonical form: every list sorted by name.
    sort_by_name(*dir.mutable_files());
    sort_by_name(*dir.mutable_directories());
    sort_by_name(*dir.mutable_symlinks());

    std::string bytes = dir.SerializeAsString();
    Blob blob = blob_with(fn, std::move(bytes));
    digests[i] = blob.digest;
    const std::string key = key_of(blob.digest);
    for (const v2::DirectoryNode& child : dir.directories()) {
      ++tree.references[key_of(child.digest())];
      tree.parents[key_of(child.digest())].insert(key);
    }
    tree.directories.emplace(key, dir);
    if (missing) continue;
    stored.insert(key);
    add_upload(std::move(blob));
  }
  tree.root = digests[0];

  for (std::size_t i = 1; i < n; ++i) {
    const std::string key = key_of(digests[i]);
    if (!stored.count(key)) tree.missing.insert(key);
  }
  // What GetTree must return: the root and everything reachable through stored ones.
  std::deque<std::string> queue{key_of(tree.root)};
  tree.expected.insert(queue.front());
  while (!queue.empty()) {
    const std::string key = queue.front();
    queue.pop_front();
    for (const v2::DirectoryNode& child : tree.directories.at(key).directories()) {
      const std::string c = key_of(child.digest());
      if (stored.count(c) && tree.expected.insert(c).second) queue.push_back(c);
    }
  }
  return tree;
}

}  // namespace conformance
