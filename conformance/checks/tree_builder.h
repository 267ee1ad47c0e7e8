#pragma once
// Random directory trees for the GetTree checks (cas.md section 4): a shape drawn by
// rapidcheck (depth, fan-out, shared subtrees, files, symlinks, empty and missing
// directories), then built into canonical Directory messages with the digests a client
// would compute, the blobs to upload, and the set of Directories GetTree must return.

#include <rapidcheck.h>

#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "framework/calls.h"
#include "framework/context.h"
#include "reapi/digest_function.h"

namespace conformance {

// One directory of a shape. Node 0 is the root; subdirectories always have higher
// indices, so the graph has no cycle, and a node listed by several parents (or twice by
// one) is a shared subtree.
struct DirShape {
  std::vector<int> file_sizes;  // one file per entry; 0 is the empty blob
  int symlinks = 0;
  bool executable_props = false;  // files carry is_executable and a unix_mode property
  std::vector<int> children;      // node indices, each > this node's index
  bool missing = false;           // never uploaded (never the root)
};

struct TreeShape {
  std::vector<DirShape> dirs;
};
void showValue(const TreeShape& shape, std::ostream& os);

struct TreeOptions {
  int min_dirs = 1;
  int max_dirs = 24;
  bool with_missing = false;  // at least one non-root directory is never uploaded
  bool with_shared = false;   // at least one directory is referenced twice
};
rc::Gen<TreeShape> gen_tree_shape(TreeOptions options);

// A shape turned into Directory messages. Directories are keyed by "hash/size".
struct BuiltTree {
  reapi::DigestFunction function = reapi::DigestFunction::sha256;
  v2::Digest root;
  std::vector<Blob> uploads;                         // stored Directories and file blobs
  std::map<std::string, v2::Directory> directories;  // every Directory built, missing ones too
  std::set<std::string> expected;         // what GetTree must return: reachable through stored ones
  std::set<std::string> missing;          // never uploaded (and not the empty blob)
  std::map<std::string, int> references;  // DirectoryNode entries naming each Directory
  std::map<std::string, std::set<std::string>> parents;  // Directory -> Directories naming it
};

// Builds `shape` with digests of `fn`. Entry names carry a tag unique to this call, so
// every non-empty Directory is new to the server; a missing directory also holds a file
// of its own, so it can never coincide with a stored one.
BuiltTree build_tree(Context& ctx, const TreeShape& shape, reapi::DigestFunction fn);

std::string key_of(const v2::Digest& digest);
// The key of a Directory as returned: the digest of its canonical serialization.
std::string key_of(const v2::Directory& directory, reapi::DigestFunction fn);
// "hash../size" for a key, for messages.
std::string brief_key(const std::string& key);
// Up to `limit` keys of `keys`, briefly.
std::string brief_keys(const std::set<std::string>& keys, std::size_t limit = 4);

}  // namespace conformance
