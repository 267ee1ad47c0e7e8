// Directory tree messages decoded from hand-written wire bytes (wire.md section 4). These
// are digested as serialized bytes (COM-17), so the field numbers decide every hash.

#include <gtest/gtest.h>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "wire_bytes.h"

namespace {

namespace v2 = build::bazel::remote::execution::v2;
using wire::bytes_field;
using wire::int_field;
using wire::uint_field;

const std::string kHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string digest_bytes(std::int64_t size) { return bytes_field(1, kHash) + int_field(2, size); }

// NodeProperties: properties = 1 (name 1, value 2), mtime = 2 (Timestamp seconds 1,
// nanos 2), unix_mode = 3 (UInt32Value value 1).
std::string node_properties_bytes() {
  return bytes_field(1, bytes_field(1, "owner") + bytes_field(2, "root")) +
         bytes_field(2, int_field(1, 1700000000) + int_field(2, 5)) +
         bytes_field(3, uint_field(1, 0755));
}

void expect_node_properties(const v2::NodeProperties& p) {
  ASSERT_EQ(p.properties_size(), 1);
  EXPECT_EQ(p.properties(0).name(), "owner");
  EXPECT_EQ(p.properties(0).value(), "root");
  EXPECT_EQ(p.mtime().seconds(), 1700000000);
  EXPECT_EQ(p.mtime().nanos(), 5);
  EXPECT_EQ(p.unix_mode().value(), 0755u);
}

TEST(TreeWire, FileNode) {
  const std::string bytes = bytes_field(1, "a.txt") + bytes_field(2, digest_bytes(3)) +
                            int_field(4, 1) + bytes_field(6, node_properties_bytes());
  v2::FileNode f;
  ASSERT_TRUE(wire::decodes(bytes, f));
  EXPECT_EQ(f.name(), "a.txt");
  EXPECT_EQ(f.digest().hash(), kHash);
  EXPECT_EQ(f.digest().size_bytes(), 3);
  EXPECT_TRUE(f.is_executable());
  expect_node_properties(f.node_properties());
}

TEST(TreeWire, FileNodeReservedNumbersAreNotFields) {
  // 3 and 5 are reserved in FileNode: they must land in the unknown fields.
  v2::FileNode f;
  ASSERT_TRUE(f.ParseFromString(int_field(3, 1) + int_field(5, 1)));
  EXPECT_EQ(wire::unknown_fields(f).size(), 2u);
}

TEST(TreeWire, DirectoryNode) {
  v2::DirectoryNode d;
  ASSERT_TRUE(wire::decodes(bytes_field(1, "sub") + bytes_field(2, digest_bytes(4)), d));
  EXPECT_EQ(d.name(), "sub");
  EXPECT_EQ(d.digest().hash(), kHash);
}

TEST(TreeWire, SymlinkNode) {
  const std::string bytes = bytes_field(1, "link") + bytes_field(2, "../target") +
                            bytes_field(4, node_properties_bytes());
  v2::SymlinkNode s;
  ASSERT_TRUE(wire::decodes(bytes, s));
  EXPECT_EQ(s.name(), "link");
  EXPECT_EQ(s.target(), "../target");
  expect_node_properties(s.node_properties());
}

TEST(TreeWire, Directory) {
  const std::string file = bytes_field(1, "a") + bytes_field(2, digest_bytes(1));
  const std::string dir = bytes_field(1, "d") + bytes_field(2, digest_bytes(4));
  const std::string link = bytes_field(1, "l") + bytes_field(2, "a");
  const std::string bytes = bytes_field(1, file) + bytes_field(1, file) + bytes_field(2, dir) +
                            bytes_field(3, link) + bytes_field(5, node_properties_bytes());
  v2::Directory d;
  ASSERT_TRUE(wire::decodes(bytes, d));
  ASSERT_EQ(d.files_size(), 2);
  EXPECT_EQ(d.files(1).name(), "a");
  EXPECT_EQ(d.files(1).digest().size_bytes(), 1);
  ASSERT_EQ(d.directories_size(), 1);
  EXPECT_EQ(d.directories(0).name(), "d");
  ASSERT_EQ(d.symlinks_size(), 1);
  EXPECT_EQ(d.symlinks(0).target(), "a");
  expect_node_properties(d.node_properties());
}

TEST(TreeWire, Tree) {
  const std::string child = bytes_field(1, bytes_field(1, "x") + bytes_field(2, digest_bytes(2)));
  v2::Tree t;
  ASSERT_TRUE(wire::decodes(bytes_field(1, child) + bytes_field(2, child), t));
  EXPECT_EQ(t.root().files(0).name(), "x");
  ASSERT_EQ(t.children_size(), 1);
}

}  // namespace
